// bench:c1m's choice to run the prefork tcp million after the ws one, from what the ws million took.
import { describe, expect, it } from 'vitest';
import type { C1mFigures } from '../src/c1m/figures.ts';
import { decideTcpMillion, predictTcpBytes } from '../src/c1m/tcp-million.ts';

const GIB = 2 ** 30;

/** The figures the prediction reads; the rest do not matter to it. */
function figures(held: number, took: number, serverPerConn: number, driverPerConn: number): C1mFigures {
  return {
    heldConnections: held,
    memAvailableBytesBefore: 20 * GIB,
    memAvailableBytesMin: 20 * GIB - took,
    serverBytesPerConnection: serverPerConn,
    driverBytesPerConnection: driverPerConn,
  } as C1mFigures;
}

describe('the tcp million after the ws one', () => {
  // The ws million took 12 GiB for 1,000,000 connections; node:net costs 2 KB more on the server and
  // 1 KB more on the load generator, per connection.
  const ws = figures(1_000_000, 12 * GIB, 1000, 2000);
  const ceiling = figures(18_000, 0, 3000, 3000);

  it('predicts what the ws million took per connection plus what node:net costs beyond uWS', () => {
    expect(predictTcpBytes(ws, ceiling, 1_000_000)).toBe(12 * GIB + 3000 * 1_000_000);
    // A node:net connection that happened to cost less adds nothing.
    expect(predictTcpBytes(ws, figures(18_000, 0, 500, 500), 500_000)).toBe(6 * GIB);
    expect(predictTcpBytes(ws, undefined, 1_000_000)).toBeUndefined();
    expect(predictTcpBytes(figures(0, 0, 0, 0), ceiling, 1_000_000)).toBeUndefined();
  });

  it('runs it when the prediction leaves the headroom free, and says what it predicted', () => {
    const d = decideTcpMillion(ws, ceiling, 1_000_000, 20 * GIB, 2 * GIB);
    expect(d.run).toBe(true);
    expect(d.note).toMatch(/^prefork tcp ran: predicted to take 14\.8 GiB of the 20\.0 GiB available/);
  });

  it('skips it when the prediction would eat into the headroom, naming both sides per-connection costs', () => {
    const d = decideTcpMillion(ws, ceiling, 1_000_000, 16 * GIB, 2 * GIB);
    expect(d.run).toBe(false);
    expect(d.note).toMatch(/^prefork tcp at 1,000,000 skipped: predicted 14\.8 GiB/);
    expect(d.note).toContain('server 2.9 vs 1.0 KB, load generator 2.9 vs 2.0 KB');
    expect(d.note).toContain('16.0 GiB is available and 2.0 GiB must stay free');
  });

  it('runs it without a prediction when the ws million or the ceiling was not measured, and says so', () => {
    for (const d of [
      decideTcpMillion(undefined, ceiling, 1_000_000, GIB, 2 * GIB),
      decideTcpMillion(ws, undefined, 1_000_000, GIB, 2 * GIB),
    ]) {
      expect(d.run).toBe(true);
      expect(d.note).toMatch(/^prefork tcp ran without a memory prediction/);
    }
  });
});
