// The V8 settings of every server process, applied where a server process starts (main() and the
// children a server forks), so a server run alone gets the same heap behaviour as one run by bench.
import { setFlagsFromString } from 'node:v8';

/**
 * The V8 flag that limits the memory reducer to one full collection, in the spelling of V8 `version`
 * (process.versions.v8). V8 11.3 (Node 20) knows only `--memory-reducer-single-gc`; 11.8 (Node 21)
 * knows both; from 12 (Node 22 and later) only `--memory-reducer-gc-count`. An unknown flag is not
 * an exception: V8 prints "Error: unrecognized flag" on the process's stderr and goes on.
 */
export function singleReducerGcFlag(version: string): string {
  const major = Number.parseInt(version, 10);
  return major >= 12 ? '--memory-reducer-gc-count=1' : '--memory-reducer-single-gc';
}

/**
 * Once a ramp's connections are accepted, allocation falls and V8's memory reducer collects the
 * ramp's garbage. Its first full collection frees it (a prefork tcp child holding 17,000 connections:
 * 44 → 27 MB); by default up to two more follow that free ~0.1 MB and cost the child ~120 ms of its
 * event loop in the hold's first seconds, while the pings are measured (`--trace-gc`). One keeps the
 * memory figure and drops that CPU. The flag is read when the reducer runs, so setting it at start works.
 */
export function applyServerHeapSettings(): void {
  setFlagsFromString(singleReducerGcFlag(process.versions.v8));
}
