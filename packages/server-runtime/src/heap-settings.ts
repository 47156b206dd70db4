// The V8 settings of every server process, applied where a server process starts (main() and the
// children a server forks), so a server run alone gets the same heap behaviour as one run by bench.
import { setFlagsFromString } from 'node:v8';

/**
 * Once a ramp's connections are accepted, allocation falls and V8's memory reducer collects the
 * ramp's garbage. Its first full collection frees it (a prefork tcp child holding 17,000 connections:
 * 44 → 27 MB); by default up to two more follow that free ~0.1 MB and cost the child ~120 ms of its
 * event loop in the hold's first seconds, while the pings are measured (`--trace-gc`). One keeps the
 * memory figure and drops that CPU. The flag is read when the reducer runs, so setting it at start works.
 */
export function applyServerHeapSettings(): void {
  setFlagsFromString('--memory-reducer-single-gc');
}
