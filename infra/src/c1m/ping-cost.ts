// What the pings cost while every connection was held: from the ~1 s case samples, the frames the
// server answered per second and the CPU each side spent per ping. It tells whether a failed
// round is a CPU limit (the cores a side needs for every ping in time exceed what it has).
import type { CaseSample, SampledTree } from '../model/case-result.ts';
import { fullWindow } from './full-window.ts';

/** Ping throughput and per-ping CPU over the samples taken while the case was full (see fullWindow). */
export interface PingCost {
  seconds: number;
  /** Frames the server answered per second (one per ping). */
  pingsPerSecond: number;
  serverCores: number;
  driverCores: number;
  serverCpuUsPerPing: number;
  driverCpuUsPerPing: number;
  /**
   * The kernel's part of each side's figure (system time of its processes: its syscalls, and on loopback
   * the receiving side's TCP stack that its writes run); absent for results recorded without it.
   */
  serverKernelUsPerPing?: number;
  driverKernelUsPerPing?: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Cores a side needs to answer `askedPerSecond` pings at `usPerPing` CPU-µs each. */
export function coresNeeded(askedPerSecond: number, usPerPing: number): number {
  return (askedPerSecond * usPerPing) / 1e6;
}

/**
 * The sides whose CPU could not keep up: at the cost per ping measured, answering all `askedPerSecond`
 * pings needs more cores than the side was pinned to. A late round with such a side is that side's CPU
 * limit (for the load generator: the measuring tool's, not the server's). Empty when neither side was short.
 */
export function cpuShortSides(
  cost: PingCost,
  askedPerSecond: number,
  cores: { server: number; load: number },
): string[] {
  const short: string[] = [];
  for (const [side, us, have] of [
    ['the server', cost.serverCpuUsPerPing, cores.server],
    ['the load generator', cost.driverCpuUsPerPing, cores.load],
  ] as const) {
    const needed = coresNeeded(askedPerSecond, us);
    if (needed > have)
      short.push(`${side} needed ${needed.toFixed(2)} cores for every ping in its round and had ${have}`);
  }
  return short;
}

/** " (kernel 12.5)" after a per-ping figure, or nothing when the kernel's part was not recorded. */
export function kernelPart(us: number | undefined): string {
  return us === undefined ? '' : ` (kernel ${us})`;
}

/**
 * Undefined when fewer than two full samples carry the server's counters and the driver's CPU, or no ping was answered.
 */
export function pingCostWhileFull(samples: readonly CaseSample[]): PingCost | undefined {
  const window = fullWindow(
    samples.filter((s) => s.stats && s.driver),
    (s) => s.stats!.connections.current,
  );
  if (!window || window.first === window.last) return undefined;
  const { first, last } = window;
  const seconds = last.atSeconds - first.atSeconds;
  const pings = last.stats!.framesIn - first.stats!.framesIn;
  if (seconds <= 0 || pings <= 0) return undefined;
  const serverCpu = last.server.cpuSeconds - first.server.cpuSeconds;
  const driverCpu = last.driver!.cpuSeconds - first.driver!.cpuSeconds;
  const perPing = (cpuSeconds: number) => Math.round((cpuSeconds / pings) * 1e7) / 10;
  const kernel = (a: SampledTree, b: SampledTree) =>
    a.systemCpuSeconds === undefined || b.systemCpuSeconds === undefined
      ? undefined
      : perPing(b.systemCpuSeconds - a.systemCpuSeconds);
  const serverKernel = kernel(first.server, last.server);
  const driverKernel = kernel(first.driver!, last.driver!);
  return {
    seconds: round2(seconds),
    pingsPerSecond: Math.round(pings / seconds),
    serverCores: round2(serverCpu / seconds),
    driverCores: round2(driverCpu / seconds),
    serverCpuUsPerPing: perPing(serverCpu),
    driverCpuUsPerPing: perPing(driverCpu),
    ...(serverKernel === undefined ? {} : { serverKernelUsPerPing: serverKernel }),
    ...(driverKernel === undefined ? {} : { driverKernelUsPerPing: driverKernel }),
  };
}
