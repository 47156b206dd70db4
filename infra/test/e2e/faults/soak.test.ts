// The soak against every server (its first transport): cycles of connect -> 5 round trips ->
// close (RST) for C1M_SOAK_SECONDS (2 s here; `pnpm test:faults` soaks longer and every style),
// after which the server's RSS and open descriptors must be back within the stated margins of
// their post-warm-up baseline (see infra/src/soak/soak.ts), with every connection served.
import { describe, expect, it } from 'vitest';
import { ensureServerBuilt } from '@c1m/server-contract/conformance';
import { ensureBuilt } from '../../../../clients/driver/test/run-driver.ts';
import { repoRoot } from '../../../src/lib/paths.ts';
import { discoverServers } from '../../../src/matrix/servers.ts';
import { FD_MARGIN, rssMarginBytes, soak } from '../../../src/soak/soak.ts';
import { recordFigures, serverDir } from './fault-tools.ts';

const SECONDS = Number(process.env.C1M_SOAK_SECONDS ?? 2);
const ALL_STYLES = process.env.C1M_SOAK_ALL_STYLES === '1';
const CONCURRENCY = 200;
const ROUND_TRIPS = 5;

// The soak speaks the wire protocol: each server's first framed transport (http is not one).
const framed = (ts: readonly string[]) => ts.find((t): t is 'tcp' | 'ws' => t === 'tcp' || t === 'ws')!;
const cases = discoverServers(repoRoot).flatMap((server) =>
  (ALL_STYLES ? (server.styles ?? [undefined]) : [server.styles?.[0]]).map((style) => ({
    name: `${server.dir} ${framed(server.transports)}${style ? ` ${style}` : ''}`,
    server: server.dir,
    transport: framed(server.transports),
    style,
    workload: server.workload ?? ('echo' as const),
  })),
);

describe('soak: connect, round trips, close, with no leak', () => {
  it('the margins are what the README states', () => {
    expect(rssMarginBytes(40 * 1024 * 1024)).toBe(16 * 1024 * 1024);
    expect(rssMarginBytes(100 * 1024 * 1024)).toBe(25 * 1024 * 1024);
    expect(FD_MARGIN).toBe(2);
    expect(cases.map((c) => c.server)).toEqual(
      expect.arrayContaining([
        'conn-per-socket',
        'cpu-bound',
        'io-bound',
        'multi-loop',
        'prefork',
        'single-loop',
        'worker-pool',
      ]),
    );
  });

  it.each(cases)('$name', async (c) => {
    ensureBuilt();
    ensureServerBuilt(serverDir(c.server));
    const r = await soak({
      server: c.server,
      transport: c.transport,
      style: c.style,
      workload: c.workload,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      roundTrips: ROUND_TRIPS,
    });
    recordFigures({
      case: `soak ${c.name}`,
      subject: c.server,
      outcome: r.failures.length === 0 ? 'RSS and descriptors back within margin' : r.failures.join('; '),
      figures: {
        seconds: r.seconds,
        warmupConnections: r.warmupConnections,
        connectionsCycled: r.connectionsCycled,
        roundTrips: r.roundTrips,
        baselineRssBytes: r.baseline.rssBytes,
        endRssBytes: r.end.rssBytes,
        rssGrowthBytes: r.rssGrowthBytes,
        rssMarginBytes: r.rssMarginBytes,
        baselineFds: r.baseline.fds,
        endFds: r.end.fds,
        fdGrowth: r.fdGrowth,
        fdMargin: r.fdMargin,
      },
    });
    expect(r.failures).toEqual([]);
    expect(r.connectionsCycled).toBeGreaterThanOrEqual(5 * CONCURRENCY);
    expect(r.connectionsCycled + r.warmupConnections).toBe(r.cycles * CONCURRENCY);
    expect(r.roundTrips).toBe(r.cycles * CONCURRENCY * ROUND_TRIPS);
    expect(r.failedConnections).toBe(0);
  });
});
