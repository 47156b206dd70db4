// The lines bench:c1m prints after each case, from its figures.
import { describe, expect, it } from 'vitest';
import { cpuLimitVerdict, heldLine, pingCostLine } from '../src/c1m/case-lines.ts';
import type { C1mFigures } from '../src/c1m/figures.ts';
import { WS_MILLION_COST } from './helpers/ws-million-cost.ts';

const cost = WS_MILLION_COST;

describe("bench:c1m's case lines", () => {
  it('says what was held, the ping p99 and each side memory per connection, with the failures', () => {
    const f = {
      passed: false,
      failures: ['round 3 late'],
      heldConnections: 1_000_000,
      connectSeconds: 201.04,
      pingRttP99Us: 4_700_000,
      serverBytesPerConnection: 1024,
      driverBytesPerConnection: 2232,
      kernelBytesPerConnection: 10_240,
      memAvailableBytesMin: 3.25 * 2 ** 30,
    } as C1mFigures;
    expect(heldLine(f)).toBe(
      '    FAILED (round 3 late): held 1,000,000 in 201.0s, ping p99 4700.0 ms, server 1.00 KB/conn, load ' +
        'generator 2.18 KB/conn, kernel 10.00 KB/conn, lowest MemAvailable 3.3 GiB',
    );
  });

  it("gives each side's CPU per ping with its kernel part", () => {
    expect(pingCostLine(cost)).toBe(
      '    each ping cost the server 21.1 CPU-µs (kernel 16.9) and the load generator 41.9 CPU-µs (kernel 22.2) ' +
        '(22,922 pings/s over 100s while every connection was held and pinged)',
    );
  });

  it('names the case and the side short of cores, and nothing when both had enough', () => {
    expect(cpuLimitVerdict('prefork/ws', cost, 1_000_000 / 30, { server: 1, load: 1 })).toBe(
      'prefork/ws: the load generator needed 1.40 cores for every ping in its round and had 1, so its rounds ' +
        'could not all be answered in time',
    );
    expect(cpuLimitVerdict('prefork/ws', cost, 1_000_000 / 30, { server: 2, load: 2 })).toBeUndefined();
  });
});
