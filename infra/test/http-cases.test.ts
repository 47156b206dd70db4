// The six http cases in the bench:all matrix: which servers get them, their sizes per profile,
// the flags the server and the driver are started with, and the autocannon comparison table.
import { describe, expect, it } from 'vitest';
import type { Limits } from '../src/matrix/limits.ts';
import { planMatrix } from '../src/matrix/plan.ts';
import { PROFILES } from '../src/matrix/profiles.ts';
import type { ServerInfo } from '../src/matrix/servers.ts';
import type { CaseResult } from '../src/model/case-result.ts';
import { HTTP_SCENARIOS } from '../src/model/http-scenarios.ts';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { renderComparison } from '../src/compare/markdown.ts';
import { loadRun } from '../src/model/load-run.ts';
import { referenceMarkdown, referenceRows } from '../src/report/http-reference.ts';
import { renderSummaryMarkdown } from '../src/report/summary-md.ts';
import { at, fixtureCase, writeFixtureRun } from './helpers/fixture-run.ts';
import { driverCommand } from '../src/run/driver.ts';
import { serverCommand } from '../src/run/server.ts';

const LIMITS: Limits = {
  fdSoft: 20_000,
  fdHard: 20_000,
  perProcessConnections: 19_000,
  memAvailableBytes: 23 * 2 ** 30,
  portRangeSize: 28_232,
  cores: 2,
};
const server = (dir: string, transports: ServerInfo['transports']): ServerInfo => ({
  dir,
  transports,
  processModel: 'single-process',
  built: true,
  main: `/x/${dir}/dist/main.js`,
});
const SERVERS = [server('single-loop', ['ws', 'http']), server('worker-pool', ['ws'])];

describe('http cases in the matrix', () => {
  it(
    'gives every http server the six cases at 1000 clients for 10 s (default) and none of echo, hold or short ' +
      'over http',
    () => {
      const { cases } = planMatrix(SERVERS, LIMITS, { profile: PROFILES.default, repeat: 1, baseline: false });
      const http = cases.filter((c) => c.transport === 'http');
      expect(http.map((c) => c.scenario)).toEqual([...HTTP_SCENARIOS]);
      expect(http.every((c) => c.server === 'single-loop' && c.connections === 1000 && c.durationSeconds === 10)).toBe(
        true,
      );
      expect(cases.filter((c) => c.server === 'worker-pool' && c.transport === 'http')).toEqual([]);
      const quick = planMatrix(SERVERS, LIMITS, { profile: PROFILES.quick, repeat: 1, baseline: false }).cases.filter(
        (c) => c.transport === 'http',
      );
      expect(quick).toHaveLength(6);
      expect(quick[0]!.connections).toBeLessThan(1000);
      expect(quick[0]!.caps.join()).toMatch(/quick profile/);
    },
  );

  it("starts the server and the driver with each case's workload, body, sleep and keep-alive", () => {
    const { cases } = planMatrix(SERVERS, LIMITS, {
      profile: PROFILES.default,
      repeat: 1,
      baseline: false,
      scenarios: ['http-sleep', 'http-16k-close'],
    });
    const [sleep, big] = cases;
    expect(serverCommand(sleep!, 5).join(' ')).toContain(
      '--transport http --workload sleep --drain-timeout 5s --body-size 128 --sleep 1ms',
    );
    expect(driverCommand(sleep!, 'http://127.0.0.1:1/', '/tmp/x.json', 5000).join(' ')).toContain(
      '--workload sleep --body-size 128 --keep-alive on',
    );
    expect(serverCommand(big!, 5).join(' ')).toContain('--workload static --drain-timeout 5s --body-size 16384');
    expect(driverCommand(big!, 'http://127.0.0.1:1/', '/tmp/x.json', 5000).join(' ')).toContain(
      '--connections 1000 --duration 10s --warmup 2000ms --workload static --body-size 16384 --keep-alive off',
    );
  });

  it('tabulates autocannon beside c1m with the ratio, and says why a figure is missing', () => {
    const caseOf = (
      server: string,
      reference: CaseResult['reference'],
      driver?: { messagesPerSecond: number; p99: number },
    ) =>
      ({
        case: { scenario: 'http-static', server, transport: 'http', repetition: 1 },
        reference,
        driver: driver && { messagesPerSecond: driver.messagesPerSecond, latencyUs: { p99Us: driver.p99 } },
      }) as unknown as CaseResult;
    const base = {
      tool: 'autocannon' as const,
      version: '9.0.0',
      command: [],
      connections: 1000,
      durationSeconds: 10,
      latencyP50Us: 900,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
    };
    const md = referenceMarkdown([
      caseOf(
        'single-loop',
        {
          ...base,
          requestsPerSecond: 20_000,
          latencyP99Us: 4000,
          driverToReferenceRequestsRatio: 0.9,
          driverToReferenceP99Ratio: 1.25,
        },
        { messagesPerSecond: 18_000, p99: 5000 },
      ),
      caseOf('conn-per-socket', {
        ...base,
        requestsPerSecond: 0,
        latencyP99Us: 0,
        error: 'autocannon is not installed',
      }),
    ]).join('\n');
    expect(md).toContain('| single-loop / http | 18,000 | 20,000 | 0.90× | 5,000 | 4,000 | 1.25× | — |  |');
    expect(md).toContain('| conn-per-socket / http | — | 0 | — | — | 0 | — | — | autocannon is not installed |');
    expect(referenceMarkdown([])).toEqual([]);
  });

  it("puts each server's case-2 req/s beside the metal's (the C baseline's --http mode) as a ratio", () => {
    const reference = {
      tool: 'autocannon' as const,
      version: '9.0.0',
      command: [],
      connections: 1000,
      durationSeconds: 10,
      requestsPerSecond: 50_000,
      latencyP50Us: 900,
      latencyP99Us: 4000,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
    };
    const fixture = (server: string, messagesPerSecond: number, seconds: number) => ({
      ...fixtureCase(
        { scenario: 'http-static', server, transport: 'http', messagesPerSecond, startedAt: at(seconds) },
        seconds,
      ),
      reference,
    });
    const cases = [fixture('baseline-c', 80_000, 0), fixture('single-loop', 20_000, 10)];
    const [metal, loop] = referenceRows(cases);
    expect(metal!.metalRatio).toBeUndefined();
    expect(loop!.metalRatio).toBeCloseTo(0.25, 6);
    expect(referenceMarkdown(cases).join('\n')).toMatch(/\| single-loop \/ http \| 20,000 \|.*\| 0\.25× \| {2}\|$/m);
  });

  it('plans the metal in case 2 only: the C server in --http mode before the servers, with the same driver', () => {
    const { cases } = planMatrix(SERVERS, LIMITS, { profile: PROFILES.default, repeat: 1, baseline: true });
    const http = cases.filter((c) => c.transport === 'http');
    expect(http.map((c) => `${c.scenario} ${c.server}`)).toEqual(
      HTTP_SCENARIOS.flatMap((s) =>
        s === 'http-static' ? [`${s} baseline-c`, `${s} single-loop`] : [`${s} single-loop`],
      ),
    );
    const metal = http.find((c) => c.server === 'baseline-c')!;
    expect(serverCommand(metal, 5, '/b/echo-server').join(' ')).toBe(
      '/b/echo-server --host 127.0.0.1 --port 0 --http --body-size 1024',
    );
    expect(driverCommand(metal, 'http://127.0.0.1:1/', '/tmp/x.json', 5000).join(' ')).toContain(
      '--connections 1000 --duration 10s --warmup 2000ms --workload static --body-size 1024 --keep-alive on',
    );
    const none = planMatrix(SERVERS, LIMITS, {
      profile: PROFILES.default,
      repeat: 1,
      baseline: true,
      scenarios: ['echo-100'],
    });
    expect(none.cases.filter((c) => c.transport === 'http')).toEqual([]);
  });

  it('gives each http case its own summary section and lets compare pair and judge it', () => {
    // Each round: the metal (the C baseline's --http mode, 80,000 req/s), then single-loop.
    const run = (rates: number[], t0: number, runId: string) =>
      writeFixtureRun(
        rates.flatMap((messagesPerSecond, i) =>
          (['baseline-c', 'single-loop'] as const).map((server, j) => ({
            scenario: 'http-static' as const,
            server,
            transport: 'http' as const,
            startedAt: at(t0 + i * 100 + j * 10),
            messagesPerSecond: j === 0 ? 80_000 + i * 100 : messagesPerSecond,
            repetition: i + 1,
            latenciesUs: [500, 900],
          })),
        ),
        { runId, repeat: rates.length },
      );
    const a = loadRun(run([20_000, 20_200, 20_100], 0, 'a'));
    const b = loadRun(run([15_000, 15_100, 15_050], 1000, 'b'));
    expect(renderSummaryMarkdown(a)).toContain('## HTTP case 2 — static 1 kB body, keep-alive on');
    // The ratio to the metal in the scenario's table: 20,100 / 80,100 (medians).
    expect(renderSummaryMarkdown(a)).toMatch(/\| baseline-c \/ http \(baseline\) \|/);
    expect(renderSummaryMarkdown(a)).toMatch(/\| single-loop \/ http \|[^\n]* \| 20,100 \(0\.25×\) \|/);
    const c = compareRuns([a], [b]);
    const metal = c.rows.find((r) => r.key === 'http-static baseline-c http' && r.metric === 'messagesPerSecond')!;
    expect(metal.verdict).toBe('within noise');
    const rate = c.rows.find((r) => r.key === 'http-static single-loop http' && r.metric === 'messagesPerSecond')!;
    expect(rate.verdict).toBe('regression');
    expect(renderComparison(c)).toContain('| http-static single-loop http | msgs/s |');
  });
});
