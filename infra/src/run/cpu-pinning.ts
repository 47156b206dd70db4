// The server and the load generator on CPUs of their own (taskset), the usual practice of load
// testing on one machine. On this 2-core VM it is also far cheaper: at 200,000 connections and
// 33,000 pings/s the machine went from 0.23 to 0.80 cores idle with the same pings answered,
// because a wake-up no longer moves a process between CPUs and each side's caches stay warm.
import { availableParallelism } from 'node:os';
import { which } from 'zx';

/** CPU lists (taskset -c syntax) for each side. */
export interface CpuPinning {
  server: string;
  load: string;
}

/** The lower half of the CPUs for the load generator, the upper half for the server; undefined under 2 CPUs. */
export function splitCpus(cpus = availableParallelism()): CpuPinning | undefined {
  if (cpus < 2) return undefined;
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return { load: range(0, half - 1), server: range(half, cpus - 1) };
}

/** CPUs in a taskset list: "0", "2-3", "0,2-3". */
export function cpuCount(list: string): number {
  let n = 0;
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map(Number);
    n += to === undefined ? 1 : to! - from! + 1;
  }
  return n;
}

/** Why pinning cannot be done here, or undefined when it can. */
export function pinningUnavailable(): string | undefined {
  if (availableParallelism() < 2) return 'one CPU only';
  return which.sync('taskset', { nothrow: true }) === null ? 'taskset is not installed (util-linux)' : undefined;
}

/** `command` run on `cpus` (children inherit the affinity), or as it is when there is no list. */
export function pinned(command: readonly string[], cpus: string | undefined): string[] {
  return cpus === undefined ? [...command] : ['taskset', '-c', cpus, ...command];
}
