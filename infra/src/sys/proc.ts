// infra's view of /proc: the @c1m/proc readers, for scripts that cannot run without Linux. Where
// a reader finds no /proc they stop with C1M_NO_PROC naming the file, instead of measuring zeros.
import {
  readCapSysResource,
  readCpuTimes as readCpuTimesOrUndefined,
  readMeminfo,
  readNofileLimit,
  readSockstat as readSockstatOrUndefined,
  readSysctl,
  type CpuTimes,
  type Limit,
  type Meminfo,
  type TcpSockstat,
} from '@c1m/proc';

export { sysctlPath, type CpuTimes, type TcpSockstat } from '@c1m/proc';

/** Thrown when a /proc file infra needs is missing (not Linux). */
export class NoProcError extends Error {
  readonly code = 'C1M_NO_PROC';
  constructor(file: string) {
    super(`${file} cannot be read: c1m's scripts need Linux /proc`);
    this.name = 'NoProcError';
  }
}

function need<T>(value: T | undefined, file: string): T {
  if (value === undefined) throw new NoProcError(file);
  return value;
}

/** True when this process may raise its hard limits (CAP_SYS_RESOURCE in the effective set). */
export const hasCapSysResource = readCapSysResource;

/** A sysctl as the kernel prints it, whitespace collapsed; undefined when absent. `root` is for tests. */
export const readSysctlValue = readSysctl;

/** RLIMIT_NOFILE of this process; "unlimited" is @c1m/proc's UNLIMITED. */
export function readRlimitNofile(): Limit {
  return need(readNofileLimit(), '/proc/self/limits');
}

/** MemTotal, MemAvailable and Slab in bytes. */
export function readMemory(): Meminfo {
  return need(readMeminfo(), '/proc/meminfo');
}

/** The machine's TCP socket counters. */
export function readSockstat(): TcpSockstat {
  return need(readSockstatOrUndefined(), '/proc/net/sockstat');
}

/** The machine's cumulative CPU times. */
export function readCpuTimes(): CpuTimes {
  return need(readCpuTimesOrUndefined(), '/proc/stat');
}

/** Percent of machine CPU time stolen by the hypervisor and spent busy between two readings. */
export function cpuBetween(a: CpuTimes, b: CpuTimes): { stealPercent: number; busyPercent: number } {
  const total = b.totalTicks - a.totalTicks;
  if (total <= 0) return { stealPercent: 0, busyPercent: 0 };
  return {
    stealPercent: (100 * (b.stealTicks - a.stealTicks)) / total,
    busyPercent: (100 * (total - (b.idleTicks - a.idleTicks) - (b.stealTicks - a.stealTicks))) / total,
  };
}
