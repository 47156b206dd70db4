// The per-ping CPU figure bench:c1m reports: taken only over samples where the case was full and pings flowed.
import { describe, expect, it } from 'vitest';
import type { CaseSample } from '../src/model/case-result.ts';
import { cpuShortSides, pingCostWhileFull } from '../src/c1m/ping-cost.ts';
import { cpuCount } from '../src/run/cpu-pinning.ts';
import { WS_MILLION_COST } from './helpers/ws-million-cost.ts';

/**
 * A sample at `atSeconds` with `current` connections, `frames` answered so far and each side's CPU seconds so
 * far, of which `kernelShare` was system time (undefined: a result recorded before system time was).
 */
function sample(
  atSeconds: number,
  current: number,
  frames: number,
  serverCpu: number,
  driverCpu: number,
  kernelShare?: number,
): CaseSample {
  const system = (cpu: number) => (kernelShare === undefined ? {} : { systemCpuSeconds: cpu * kernelShare });
  return {
    atSeconds,
    server: { rssBytes: 0, cpuSeconds: serverCpu, processes: 2, ...system(serverCpu) },
    driver: { rssBytes: 0, cpuSeconds: driverCpu, processes: 2, ...system(driverCpu) },
    stats: { connections: { current, peak: current, total: current }, framesIn: frames } as CaseSample['stats'],
    stealPercent: 0,
    busyPercent: 0,
    tcpInuse: 0,
    timeWait: 0,
  };
}

/** What both window tests expect: 40,000 pings over 20 s, the server spending 1 s of CPU and the driver 0.4. */
const PINGS_20S_AT_2000 = {
  seconds: 20,
  pingsPerSecond: 2000,
  serverCores: 0.05,
  driverCores: 0.02,
  serverCpuUsPerPing: 25,
  driverCpuUsPerPing: 10,
};

describe('pingCostWhileFull', () => {
  it(
    'divides CPU by the pings answered between the first ' + 'and last full sample, ignoring the ramp and the close',
    () => {
      const samples = [
        sample(0, 0, 0, 0, 0),
        sample(10, 500, 100, 9, 9), // ramping: ignored
        sample(20, 1000, 1000, 10, 11),
        sample(30, 995, 21_000, 10.5, 11.2),
        sample(40, 1000, 41_000, 11, 11.4),
        sample(50, 10, 41_000, 30, 30), // closing: ignored
      ];
      expect(pingCostWhileFull(samples)).toEqual(PINGS_20S_AT_2000);
    },
  );

  it('counts only the intervals in which pings flowed: not the settling after the ramp, nor the end', () => {
    const samples = [
      sample(20, 1000, 0, 10, 11), // full, the shards measuring their memory
      sample(22, 1000, 0, 12, 13), // still no ping
      sample(24, 1000, 500, 12.2, 13.1), // pings began within the last interval
      sample(34, 1000, 20_500, 12.7, 13.3),
      sample(44, 1000, 40_500, 13.2, 13.5),
      sample(46, 1000, 41_000, 13.3, 13.6), // pings stopped within this interval
      sample(48, 1000, 41_000, 14, 15), // replies drained, connections let go
    ];
    expect(pingCostWhileFull(samples)).toEqual(PINGS_20S_AT_2000);
  });

  it('splits out the kernel part of each side when the samples carry system time', () => {
    const samples = [sample(20, 1000, 1000, 10, 11, 0.5), sample(40, 1000, 41_000, 11, 11.4, 0.5)];
    expect(pingCostWhileFull(samples)).toMatchObject({
      serverCpuUsPerPing: 25,
      serverKernelUsPerPing: 12.5,
      driverCpuUsPerPing: 10,
      driverKernelUsPerPing: 5,
    });
    const old = pingCostWhileFull([sample(20, 1000, 1000, 10, 11), sample(40, 1000, 41_000, 11, 11.4)]);
    expect(old).not.toHaveProperty('serverKernelUsPerPing');
  });

  it('gives the median of 4-s stretches beside the mean, which a warm-up hump moves less', () => {
    // 2,000 pings/s read every 2 s for 24 s; each ping costs the server 25 µs and the driver 10, except in
    // the first 4 s of pings, when both cost four times as much (the first round's warm-up).
    const samples = [sample(20, 1000, 0, 10, 11)];
    let frames = 0;
    let server = 10;
    let driver = 11;
    for (let t = 22; t <= 44; t += 2) {
      const hump = t <= 24 ? 4 : 1;
      frames += 4000;
      server += 4000 * 25e-6 * hump;
      driver += 4000 * 10e-6 * hump;
      samples.push(sample(t, 1000, frames, server, driver));
    }
    const cost = pingCostWhileFull(samples)!;
    // The window runs from 22 s to 42 s: the hump is in its first stretch, of five.
    expect(cost.seconds).toBe(20);
    expect(cost.serverCpuUsPerPing).toBeCloseTo(32.5, 5);
    expect(cost.serverMedianUsPerPing).toBe(25);
    expect(cost.driverMedianUsPerPing).toBe(10);
    // Fewer than three stretches: no median.
    expect(pingCostWhileFull(samples.slice(0, 6))).not.toHaveProperty('serverMedianUsPerPing');
  });

  it('gives nothing without two full samples or without an answered ping', () => {
    expect(pingCostWhileFull([sample(0, 1000, 0, 0, 0)])).toBeUndefined();
    expect(pingCostWhileFull([sample(0, 1000, 5, 0, 0), sample(10, 1000, 5, 1, 1)])).toBeUndefined();
  });
});

describe('cpuShortSides', () => {
  const cost = WS_MILLION_COST;

  it('names the side whose cores could not answer every ping of its round (the ws million of 3 December)', () => {
    expect(cpuShortSides(cost, 1_000_000 / 30, { server: 1, load: 1 })).toEqual([
      'the load generator needed 1.40 cores for every ping in its round and had 1',
    ]);
  });

  it('names none when both sides have the cores, and counts a taskset list', () => {
    expect(cpuShortSides(cost, 1_000_000 / 30, { server: 2, load: 2 })).toEqual([]);
    expect([cpuCount('0'), cpuCount('2-3'), cpuCount('0,2-5')]).toEqual([1, 2, 5]);
  });
});
