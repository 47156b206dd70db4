// Builds hand-made run directories for the unit tests: result files with chosen figures,
// written programmatically (never real generated results), with real encoded HdrHistograms.
import { createHistogram, encodeHistogram, recordUs, summarizeHistogram } from '@c1m/results';
import type { DriverResult } from '@c1m/schema';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseResult, CaseSpec, RunEnv, RunInfo, ScenarioId } from '../../src/model/case-result.ts';

export const FIXTURE_ENV: RunEnv = {
  date: '2025-01-01T00:00:00.000Z',
  hostname: 'fixture',
  kernel: 'Linux 6.1.0',
  cpuModel: 'Fixture CPU @ 2.0GHz',
  cores: 2,
  memoryBytes: 24 * 2 ** 30,
  node: 'v20.20.0',
  dependencies: {},
  sysctls: {},
  rlimitNofile: { soft: 20000, hard: 20000 },
  gitCommit: 'abcdef1234567890',
  limits: { fdHard: 20000 },
};

/** Inputs of one fixture case: its identity and the figures it should produce. */
export interface FixtureCase {
  scenario: ScenarioId;
  server: string;
  transport?: 'tcp' | 'ws' | 'http';
  style?: string;
  connections?: number;
  messagesPerSecond?: number;
  /** Latencies recorded into the histogram (µs). */
  latenciesUs?: number[];
  serverCpuSeconds?: number;
  messages?: number;
  rssIdleBytes?: number;
  rssPeakBytes?: number;
  failed?: string;
  stealPercent?: number;
  repetition?: number;
  startedAt: string;
  shortLoopSeconds?: number[];
  connectSeconds?: number;
}

function latencyOf(values: number[]) {
  const h = createHistogram();
  for (const v of values) recordUs(h, v);
  return { encoded: encodeHistogram(h), summary: summarizeHistogram(h) };
}

/** A DriverResult with the given figures. */
export function fixtureDriver(f: FixtureCase): DriverResult {
  const lat = latencyOf(f.latenciesUs ?? [100, 200, 300, 400, 1000]);
  const connections = f.connections ?? 100;
  const messages = f.messages ?? 1_000_000;
  const scenario = f.scenario === 'hold' || f.scenario === 'short' ? f.scenario : 'echo';
  return {
    tool: 'c1m-load',
    schemaVersion: 1,
    scenario,
    target: ['tcp://127.0.0.1:1'],
    command: ['c1m-load', scenario],
    options: {},
    env: FIXTURE_ENV,
    startedAt: f.startedAt,
    durationSeconds: 10,
    passed: !f.failed,
    failures: f.failed ? [f.failed] : [],
    connections: {
      requested: connections,
      established: connections,
      failed: 0,
      failedByCause: {},
      peak: connections,
      connectSeconds: f.connectSeconds ?? 1,
    },
    connectTimeUs: lat.summary,
    messages: { sent: messages, received: messages, mismatches: 0, missing: 0 },
    messagesPerSecond: f.messagesPerSecond ?? 100_000,
    bytesSentPerSecond: 0,
    bytesReceivedPerSecond: 0,
    latencyUs: lat.summary,
    latencyUncorrectedUs: lat.summary,
    buckets: {},
    errorsByCause: {},
    histograms: { latencyCorrected: lat.encoded, latencyUncorrected: lat.encoded, connect: lat.encoded },
    driver: { shards: 1, cpuSeconds: 1, rssBytesPeak: 50e6 },
    ...(scenario === 'hold'
      ? {
          hold: {
            pingIntervalSeconds: 1,
            rounds: [{ atSeconds: 1, answered: connections, missed: 0 }],
            pingRttUs: lat.summary,
          },
        }
      : {}),
    ...(scenario === 'short'
      ? {
          short: {
            loops: (f.shortLoopSeconds ?? [0.5]).map((seconds, i) => ({
              loop: i + 1,
              finished: connections,
              failed: 0,
              seconds,
            })),
            timeWaitAfter: 0,
          },
        }
      : {}),
  };
}

/** A CaseResult with the given figures. */
export function fixtureCase(f: FixtureCase, index: number): CaseResult {
  const transport = f.transport ?? 'tcp';
  const key = [f.scenario, f.server, transport, f.style].filter(Boolean).join(' ');
  const spec: CaseSpec = {
    id: `${String(index).padStart(3, '0')}-${key.replaceAll(' ', '-')}`,
    key,
    scenario: f.scenario,
    server: f.server,
    transport,
    style: f.style,
    workload: 'echo',
    connections: f.connections ?? 100,
    durationSeconds: 10,
    warmupSeconds: 1,
    sizeBytes: 64,
    repetition: f.repetition ?? 1,
    caps: [],
  };
  const steal = f.stealPercent ?? 0;
  return {
    schemaVersion: 1,
    runId: 'fixture',
    case: spec,
    status: f.failed ? 'failed' : 'passed',
    failures: f.failed ? [f.failed] : [],
    startedAt: f.startedAt,
    finishedAt: f.startedAt,
    wallSeconds: 12,
    timeWait: { thresholdCount: 1000, before: 0, after: 0, waitedSeconds: 0, outcome: 'clear' },
    server: { command: ['node', 'x'], exitCode: 0, signal: null, cleanExit: true, stopSeconds: 0.1, stderrTail: '' },
    load: {
      seconds: 10,
      serverCpuSeconds: f.serverCpuSeconds ?? 5,
      serverRssBytesIdle: f.rssIdleBytes ?? 50e6,
      serverRssBytesPeak: f.rssPeakBytes ?? 51e6,
      driverCpuSeconds: 1,
      driverRssBytesPeak: 50e6,
    },
    driver: fixtureDriver(f),
    samples: [],
    steal: { meanPercent: steal, maxPercent: steal, thresholdPercent: 10, flagged: steal >= 10 },
  };
}

/** Writes a run directory holding these cases; returns its path. */
export function writeFixtureRun(
  cases: FixtureCase[],
  opts: { runId?: string; env?: Partial<RunEnv>; repeat?: number; notes?: string[] } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'c1m-run-'));
  mkdirSync(join(dir, 'cases'));
  const results = cases.map((c, i) => fixtureCase(c, i + 1));
  for (const r of results) writeFileSync(join(dir, 'cases', `${r.case.id}.json`), JSON.stringify(r));
  const run: RunInfo = {
    schemaVersion: 1,
    runId: opts.runId ?? 'fixture-run',
    profile: 'quick',
    argv: ['--quick'],
    startedAt: cases[0]?.startedAt ?? '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T01:00:00.000Z',
    wallSeconds: 100,
    repeat: opts.repeat ?? 1,
    notes: opts.notes ?? [],
    cases: results.map((r) => ({ id: r.case.id, key: r.case.key, status: r.status, file: `cases/${r.case.id}.json` })),
  };
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  writeFileSync(join(dir, 'env.json'), JSON.stringify({ ...FIXTURE_ENV, ...opts.env }));
  return dir;
}

/** ISO time `seconds` after a fixed origin. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}
