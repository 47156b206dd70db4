// Kernel memory that connections cost, read from /proc: slab (socket structures, dentries of
// socket inodes, epoll items) and the TCP buffer pages of /proc/net/sockstat; plus MemAvailable,
// the headroom a run must never exhaust.
import { readCpuTimes, readMemory, readSockstat, type CpuTimes } from '../sys/proc.ts';
import { fullWindow } from './full-window.ts';
import { outsideCores, readOutsideTicks, type OutsideTicks } from './outside-cpu.ts';

/** One reading. */
export interface KernelMemory {
  atSeconds: number;
  memAvailableBytes: number;
  slabBytes: number;
  tcpBufferBytes: number;
  tcpInuse: number;
  /** The machine's cumulative CPU time split (for where the CPU of a full hold went). */
  cpu: CpuTimes;
  /** CPU time so far of the processes outside the run. */
  outside: OutsideTicks;
}

const PAGE_BYTES = 4096;

/** Reads /proc/meminfo and /proc/net/sockstat now. */
export function readKernelMemory(t0 = performance.now()): KernelMemory {
  const mem = readMemory();
  const sock = readSockstat();
  return {
    atSeconds: Math.round((performance.now() - t0) / 100) / 10,
    memAvailableBytes: mem.availableBytes,
    slabBytes: mem.slabBytes,
    tcpBufferBytes: sock.memPages * PAGE_BYTES,
    tcpInuse: sock.inuse,
    cpu: readCpuTimes(),
    outside: readOutsideTicks(),
  };
}

/** Reads kernel memory every interval until stopped; keeps every reading. */
export class KernelMemoryWatch {
  readonly readings: KernelMemory[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    intervalMs: number,
    private readonly t0 = performance.now(),
  ) {
    this.readings.push(readKernelMemory(t0));
    this.timer = setInterval(() => this.readings.push(readKernelMemory(this.t0)), intervalMs);
  }

  /** The most recent reading. */
  latest(): KernelMemory {
    return this.readings[this.readings.length - 1]!;
  }

  stop(): KernelMemory[] {
    clearInterval(this.timer);
    this.readings.push(readKernelMemory(this.t0));
    return this.readings;
  }
}

/** Cores busy in user code, in the kernel, and in softirq (network receive), and idle. */
export interface CpuSplit {
  userCores: number;
  systemCores: number;
  softirqCores: number;
  idleCores: number;
  /** Of the busy cores, those used by processes outside the run, and the busiest of them. */
  outsideCores: number;
  outsideTop: Array<{ name: string; cores: number }>;
}

/** How the machine's CPU was spent while the hold was full (by TCP sockets in use, see fullWindow). */
export function cpuWhileFull(readings: readonly KernelMemory[], ticksPerSecond = 100): CpuSplit {
  // With no socket ever in use every reading is the window: the whole case.
  const { first: a, last: b } = fullWindow(readings, (r) => r.tcpInuse) ?? {
    first: readings[0]!,
    last: readings.at(-1)!,
  };
  const seconds = b.atSeconds - a.atSeconds;
  const cores = (key: keyof CpuTimes) =>
    seconds > 0 ? Math.round(((b.cpu[key] - a.cpu[key]) / ticksPerSecond / seconds) * 100) / 100 : 0;
  const outside = outsideCores(a.outside, b.outside, seconds, ticksPerSecond);
  return {
    userCores: cores('userTicks'),
    systemCores: cores('systemTicks'),
    softirqCores: cores('softirqTicks'),
    idleCores: cores('idleTicks'),
    outsideCores: outside.cores,
    outsideTop: outside.top,
  };
}

/** The reading with the most TCP sockets in use (the hold at its fullest). */
export function fullest(readings: readonly KernelMemory[]): KernelMemory {
  return readings.reduce((a, b) => (b.tcpInuse > a.tcpInuse ? b : a));
}
