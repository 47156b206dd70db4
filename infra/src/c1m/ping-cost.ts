// What the pings cost while every connection was held: from the ~1 s case samples, the frames the
// server answered per second and the CPU each side spent per ping. It tells whether a failed
// round is a CPU limit (the cores a side needs for every ping in time exceed what it has).
import type { CaseSample } from '../model/case-result.ts';
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
}

const round2 = (v: number) => Math.round(v * 100) / 100;

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
  return {
    seconds: round2(seconds),
    pingsPerSecond: Math.round(pings / seconds),
    serverCores: round2(serverCpu / seconds),
    driverCores: round2(driverCpu / seconds),
    serverCpuUsPerPing: Math.round((serverCpu / pings) * 1e7) / 10,
    driverCpuUsPerPing: Math.round((driverCpu / pings) * 1e7) / 10,
  };
}
