// What the pings cost while every connection was held and pings flowed: from the ~1 s case samples,
// the frames the server answered per second and the CPU each side spent per ping. It tells whether a failed
// round is a CPU limit (the cores a side needs for every ping in time exceed what it has).
import type { CaseSample, SampledTree } from '../model/case-result.ts';
import { median } from '../model/metrics.ts';
import { fullWindow } from './full-window.ts';

/** Ping throughput and per-ping CPU over the samples taken while the case was full and pings flowed. */
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
  /**
   * The median, over the window's consecutive stretches of at least MEDIAN_STRETCH_SECONDS, of each
   * side's CPU-µs per ping in that stretch: the steady cost, which a one-time hump (the first round's
   * warm-up, a late collection) or a few seconds of a slow VM move less than the mean above. Absent with
   * fewer than three stretches.
   */
  serverMedianUsPerPing?: number;
  driverMedianUsPerPing?: number;
}

/** The shortest stretch of samples whose per-ping cost enters the medians (samples come ~1–2 s apart). */
export const MEDIAN_STRETCH_SECONDS = 4;

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
 * Of the full samples, the stretch in which pings flowed the whole time: from the end of the first
 * interval in which the server answered a ping to the start of the last. The seconds between the end
 * of the ramp and the first ping (each shard measures its memory with forced collections, both sides
 * settle) and the end of the hold (replies drained, connections let go) are work, but not a ping's.
 * The whole full window when pings flowed in fewer than three intervals.
 */
function pingWindow(full: readonly CaseSample[]): readonly CaseSample[] {
  const grew: number[] = [];
  for (let i = 1; i < full.length; i++) if (full[i]!.stats!.framesIn > full[i - 1]!.stats!.framesIn) grew.push(i);
  if (grew.length < 3) return full;
  return full.slice(grew[0]!, grew.at(-1)!);
}

/**
 * Each side's median CPU-µs per ping over the consecutive stretches of at least MEDIAN_STRETCH_SECONDS
 * in `window` (stretches without an answered ping are left out); undefined with fewer than three stretches.
 */
function stretchMedians(window: readonly CaseSample[]): { server: number; driver: number } | undefined {
  const server: number[] = [];
  const driver: number[] = [];
  let start = window[0]!;
  for (const end of window.slice(1)) {
    if (end.atSeconds - start.atSeconds < MEDIAN_STRETCH_SECONDS) continue;
    const pings = end.stats!.framesIn - start.stats!.framesIn;
    if (pings > 0) {
      server.push(((end.server.cpuSeconds - start.server.cpuSeconds) / pings) * 1e6);
      driver.push(((end.driver!.cpuSeconds - start.driver!.cpuSeconds) / pings) * 1e6);
    }
    start = end;
  }
  if (server.length < 3) return undefined;
  const tenth = (v: number) => Math.round(v * 10) / 10;
  return { server: tenth(median(server)!), driver: tenth(median(driver)!) };
}

/**
 * Undefined when fewer than two full samples carry the server's counters and the driver's CPU, or no ping was answered.
 */
export function pingCostWhileFull(samples: readonly CaseSample[]): PingCost | undefined {
  const counted = samples.filter((s) => s.stats && s.driver);
  const full = fullWindow(counted, (s) => s.stats!.connections.current);
  if (!full || full.first === full.last) return undefined;
  const window = pingWindow(counted.slice(counted.indexOf(full.first), counted.indexOf(full.last) + 1));
  const first = window[0]!;
  const last = window.at(-1)!;
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
  const medians = stretchMedians(window);
  return {
    seconds: round2(seconds),
    pingsPerSecond: Math.round(pings / seconds),
    serverCores: round2(serverCpu / seconds),
    driverCores: round2(driverCpu / seconds),
    serverCpuUsPerPing: perPing(serverCpu),
    driverCpuUsPerPing: perPing(driverCpu),
    ...(serverKernel === undefined ? {} : { serverKernelUsPerPing: serverKernel }),
    ...(driverKernel === undefined ? {} : { driverKernelUsPerPing: driverKernel }),
    ...(medians === undefined ? {} : { serverMedianUsPerPing: medians.server, driverMedianUsPerPing: medians.driver }),
  };
}
