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
import { referenceMarkdown } from '../src/report/http-reference.ts';
import { renderSummaryMarkdown } from '../src/report/summary-md.ts';
import { at, writeFixtureRun } from './helpers/fixture-run.ts';
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
    expect(md).toContain('| single-loop / http | 18,000 | 20,000 | 0.90× | 5,000 | 4,000 | 1.25× |  |');
    expect(md).toContain('| conn-per-socket / http | — | 0 | — | — | 0 | — | autocannon is not installed |');
    expect(referenceMarkdown([])).toEqual([]);
  });

  it('gives each http case its own summary section and lets compare pair and judge it', () => {
    const run = (rates: number[], t0: number, runId: string) =>
      writeFixtureRun(
        rates.map((messagesPerSecond, i) => ({
          scenario: 'http-static' as const,
          server: 'single-loop',
          transport: 'http' as const,
          startedAt: at(t0 + i * 100),
          messagesPerSecond,
          repetition: i + 1,
          latenciesUs: [500, 900],
        })),
        { runId, repeat: rates.length },
      );
    const a = loadRun(run([20_000, 20_200, 20_100], 0, 'a'));
    const b = loadRun(run([15_000, 15_100, 15_050], 1000, 'b'));
    expect(renderSummaryMarkdown(a)).toContain('## HTTP case 2 — static 1 kB body, keep-alive on');
    const c = compareRuns([a], [b]);
    const rate = c.rows.find((r) => r.key === 'http-static single-loop http' && r.metric === 'messagesPerSecond')!;
    expect(rate.verdict).toBe('regression');
    expect(renderComparison(c)).toContain('| http-static single-loop http | msgs/s |');
  });
});
