// Small readers of /proc shared by tune, the limits of bench:all and the per-case sampling:
// capabilities, sysctls (normalized), memory, socket counts and CPU time (with steal). Limits and
// sysctls come through @c1m/results' readers, the ones every result file's env is captured with.
import { readNofileLimit, readSysctl } from '@c1m/results';
import { readFileSync } from 'node:fs';

const CAP_SYS_RESOURCE = 24;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when this process may raise its hard limits (CAP_SYS_RESOURCE in the effective set). */
export function hasCapSysResource(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(read('/proc/self/status') ?? '');
  return m ? (BigInt(`0x${m[1]}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n ? true : false : false;
}

/** Path of a dotted sysctl name under `root` (/proc/sys; tests pass a scratch directory). */
export function sysctlPath(name: string, root = '/proc/sys'): string {
  return `${root}/${name.replaceAll('.', '/')}`;
}

/**
 * A sysctl as the kernel prints it, whitespace runs collapsed to one space ("32768 60999"), or
 * undefined when absent. Reads through @c1m/results' reader unless `root` points elsewhere (tests).
 */
export function readSysctlValue(name: string, root?: string): string | undefined {
  const text = root === undefined ? readSysctl(name) : read(sysctlPath(name, root));
  return text === undefined ? undefined : text.trim().split(/\s+/).join(' ');
}

/** RLIMIT_NOFILE of this process; "unlimited" as Number.MAX_SAFE_INTEGER. */
export function readRlimitNofile(): { soft: number; hard: number } {
  const { soft, hard } = readNofileLimit();
  const num = (n: number) => (n < 0 ? Number.MAX_SAFE_INTEGER : n);
  return { soft: num(soft), hard: num(hard) };
}

/** MemTotal and MemAvailable in bytes. */
export function readMemory(): { totalBytes: number; availableBytes: number } {
  const text = read('/proc/meminfo') ?? '';
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable') };
}

/** The TCP line of /proc/net/sockstat: sockets in use, orphans, TIME_WAIT, allocated, memory pages. */
export interface TcpSockstat {
  inuse: number;
  orphan: number;
  tw: number;
  alloc: number;
  memPages: number;
}

export function parseSockstat(text: string): TcpSockstat {
  const line = text.split('\n').find((l) => l.startsWith('TCP:')) ?? '';
  const field = (k: string) => Number(new RegExp(`\\b${k} (\\d+)`).exec(line)?.[1] ?? 0);
  return { inuse: field('inuse'), orphan: field('orphan'), tw: field('tw'), alloc: field('alloc'), memPages: field('mem') };
}

export function readSockstat(): TcpSockstat {
  return parseSockstat(read('/proc/net/sockstat') ?? '');
}

/** Aggregate CPU time of the machine in clock ticks (first line of /proc/stat). */
export interface CpuTimes {
  totalTicks: number;
  idleTicks: number;
  stealTicks: number;
  /** user + nice: processes' own code. */
  userTicks: number;
  /** system + irq: the kernel working for processes and devices. */
  systemTicks: number;
  /** softirq: network receive processing (on loopback, every segment's other end), charged to no process. */
  softirqTicks: number;
}

export function parseProcStat(text: string): CpuTimes {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return {
    totalTicks: user + nice + system + idle + iowait + irq + softirq + steal,
    idleTicks: idle + iowait,
    stealTicks: steal,
    userTicks: user + nice,
    systemTicks: system + irq,
    softirqTicks: softirq,
  };
}

export function readCpuTimes(): CpuTimes {
  return parseProcStat(read('/proc/stat') ?? '');
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
