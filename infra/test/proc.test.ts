// Steal and busy shares between /proc/stat readings (the parsers are tested in @c1m/proc), the TIME_WAIT wait, and CPU
// per message from samples, on hand-made inputs.
import { describe, expect, it } from 'vitest';
import { caseMetrics } from '../src/model/metrics.ts';
import { countTimeWaitOnPorts, waitForTimeWait } from '../src/run/time-wait.ts';
import { parseCpuTimes } from '@c1m/proc';
import { cpuBetween } from '../src/sys/proc.ts';
import { at, fixtureCase } from './helpers/fixture-run.ts';

describe('CPU shares', () => {
  it('reads steal and busy shares between two /proc/stat readings', () => {
    const a = parseCpuTimes('cpu  100 0 100 700 0 0 0 100 0 0\ncpu0 1 2 3\n');
    const b = parseCpuTimes('cpu  200 0 200 1000 0 0 0 600 0 0\n');
    expect(a).toEqual({
      totalTicks: 1000,
      idleTicks: 700,
      stealTicks: 100,
      userTicks: 100,
      systemTicks: 100,
      softirqTicks: 0,
    });
    expect(cpuBetween(a, b)).toEqual({ stealPercent: 50, busyPercent: 20 });
  });
});

describe('TIME_WAIT wait', () => {
  it("counts only the TIME_WAIT sockets on the ports of this run's servers", () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:9C40 0100007F:1F90 06 00000000:00000000 03:00000D5E 00000000     0        0 0 3 0000000000000000',
      '   1: 0100007F:1F90 0100007F:9C41 06 00000000:00000000 03:00000D5E 00000000     0        0 0 3 0000000000000000',
      '   2: 0100007F:9C42 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000',
      '   3: 0100007F:9C43 0100007F:2328 06 00000000:00000000 03:00000D5E 00000000     0        0 0 3 0000000000000000',
      '   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:9C44 06 00000000:00000000 ' +
        '03:00000D5E 00000000 0 0 0 3 0',
    ].join('\n');
    // 0x1F90 = 8080: two IPv4 TIME_WAIT sockets and one IPv6; the established one and port 9000 do not count.
    expect(countTimeWaitOnPorts(text, new Set([8080]))).toBe(3);
    expect(countTimeWaitOnPorts(text, new Set([9000]))).toBe(1);
    expect(countTimeWaitOnPorts(text, new Set())).toBe(0);
  });

  it('does not wait when the count is under the threshold', async () => {
    const r = await waitForTimeWait(1000, 5, () => 10);
    expect(r).toMatchObject({ outcome: 'clear', before: 10, after: 10, waitedSeconds: 0 });
  });

  it('waits until the count falls and records it', async () => {
    const counts = [5000, 3000, 500];
    const r = await waitForTimeWait(1000, 5, () => counts.shift() ?? 500);
    expect(r).toMatchObject({ outcome: 'waited', before: 5000, after: 500 });
    expect(r.waitedSeconds).toBeGreaterThan(0);
  });

  it('gives up after the longest wait', async () => {
    const r = await waitForTimeWait(1000, 0.2, () => 5000);
    expect(r.outcome).toBe('timed-out');
  });
});

describe('server CPU per message', () => {
  it('divides the CPU of the intervals in which frames were answered by those frames', () => {
    const r = fixtureCase({ scenario: 'echo-100', server: 'single-loop', startedAt: at(0), serverCpuSeconds: 99 }, 1);
    const sample = (t: number, cpu: number, frames: number) => ({
      atSeconds: t,
      server: { rssBytes: 1, cpuSeconds: cpu, processes: 1 },
      stats: { connections: { current: 0, peak: 0, total: 0 }, framesIn: frames, framesOut: frames },
      stealPercent: 0,
      busyPercent: 0,
      tcpInuse: 0,
      timeWait: 0,
    });
    // Idle, connecting (CPU but no frames: not counted), two loaded intervals, idle again.
    r.samples = [
      sample(0, 1, 0),
      sample(1, 1.5, 0),
      sample(2, 2.5, 500_000),
      sample(3, 3.5, 1_000_000),
      sample(4, 3.6, 1_000_000),
    ];
    expect(caseMetrics(r).serverCpuSecondsPerMillionMessages).toBeCloseTo(2, 9);
  });
});
