// Turns a run's merged figures into the DriverResult that --json writes and infra reads, and
// decides whether the run passed its own checks.
import { bucketTable, encodeHistogram, summarizeHistogram } from '@c1m/results';
import type { DriverResult, EnvInfo } from '@c1m/schema';
import { REPLY_ERROR_CODES } from '@c1m/protocol';
import type { MessageCounts, ShardUsage } from '../ipc/messages.ts';
import type { LostShard } from './lost-shard.ts';
import type { MergedConnect } from './merge.ts';
import type { Options } from '../options/options.ts';
import type { MergedPhase } from '../recording/stats.ts';
import { meanSize } from '../options/values.ts';

/** Everything a scenario measured, before it is shaped into a DriverResult. */
export interface RunOutcome {
  connect: MergedConnect;
  /** The phase whose latency is reported (max-rate: the best step). */
  phase: MergedPhase;
  /** Message totals over every phase of the run. */
  messages: MessageCounts;
  /** Errors of every phase, by cause. */
  errors: Record<string, number>;
  /** Time the phase's measured messages are spread over. */
  durationSeconds: number;
  /** Largest number of connections open at once. */
  peakConnections: number;
  rssBytesPerConnection?: number;
  /** CPU the shards used during the load phase(s) the messages were counted in. */
  loadCpuSeconds?: number;
  hold?: DriverResult['hold'];
  short?: DriverResult['short'];
  maxRate?: DriverResult['maxRate'];
  /** Scenario-specific reasons the run failed. */
  failures: string[];
}

/** How the run was made, besides what it measured. */
export interface RunContext {
  options: Options;
  command: string[];
  env: EnvInfo;
  startedAt: Date;
  wallSeconds: number;
  shards: number;
  usage: ShardUsage[];
  coordinatorCpuSeconds: number;
  baselineRssBytes: number[];
  /** Shards that died during the run (their figures are missing). */
  lostShards?: LostShard[];
}

function causes(map: Record<string, number>): string {
  return Object.entries(map)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** The checks every scenario shares: replies correct and complete, connections made and kept. */
export function commonFailures(outcome: Omit<RunOutcome, 'failures'>, scenario: Options['scenario']): string[] {
  const out: string[] = [];
  const { messages, connect } = outcome;
  if (messages.mismatches > 0) out.push(`${messages.mismatches} replies were wrong or unexpected`);
  if (messages.missing > 0 && scenario !== 'max-rate') out.push(`${messages.missing} replies never came`);
  if (scenario !== 'short') {
    if (connect.established === 0) out.push('no connection was established');
    if (connect.stoppedReason)
      out.push(`ramp stopped at ${connect.established} of ${connect.requested} connections: ${connect.stoppedReason}`);
    if (connect.failed > 0) out.push(`${connect.failed} connections failed (${causes(connect.failedByCause)})`);
    if (messages.notSent > 0) out.push(`${messages.notSent} sends skipped: their connection was lost`);
    const lost = Object.entries(outcome.errors).filter(([k]) => !(REPLY_ERROR_CODES as readonly string[]).includes(k));
    if (lost.length > 0) out.push(`connections lost during the run (${causes(Object.fromEntries(lost))})`);
  }
  return out;
}

/** The result file. */
export function buildResult(ctx: RunContext, outcome: RunOutcome): DriverResult {
  const { options } = ctx;
  const { phase, connect } = outcome;
  const perSecond = (n: number) =>
    outcome.durationSeconds > 0 ? Math.round((n / outcome.durationSeconds) * 10) / 10 : 0;
  const { scenario: _scenario, targets, slice: _slice, ...rest } = options;
  return {
    tool: 'c1m-load',
    schemaVersion: 1,
    scenario: options.scenario,
    target: targets.map((t) => t.url),
    command: ctx.command,
    options: { ...rest, meanSizeBytes: meanSize(options.size), mode: options.rate > 0 ? 'open' : 'closed' },
    env: ctx.env,
    startedAt: ctx.startedAt.toISOString(),
    durationSeconds: outcome.durationSeconds,
    wallSeconds: Math.round(ctx.wallSeconds * 1000) / 1000,
    passed: outcome.failures.length === 0,
    failures: outcome.failures,
    connections: {
      requested: connect.requested,
      established: connect.established,
      failed: connect.failed,
      failedByCause: connect.failedByCause,
      peak: outcome.peakConnections,
      connectSeconds: Math.round(connect.seconds * 1000) / 1000,
      lostDuringRamp: connect.lostDuringRamp,
      ...(connect.stoppedReason ? { rampStoppedReason: connect.stoppedReason } : {}),
    },
    connectTimeUs: summarizeHistogram(connect.connect),
    messages: {
      sent: outcome.messages.sent,
      received: outcome.messages.received,
      mismatches: outcome.messages.mismatches,
      missing: outcome.messages.missing,
      measured: phase.counts.measured,
      notSent: outcome.messages.notSent,
    },
    messagesPerSecond: perSecond(phase.counts.measured),
    bytesSentPerSecond: perSecond(phase.counts.bytesSentMeasured),
    bytesReceivedPerSecond: perSecond(phase.counts.bytesReceivedMeasured),
    latencyUs: summarizeHistogram(phase.corrected),
    latencyUncorrectedUs: summarizeHistogram(phase.uncorrected),
    buckets: bucketTable(phase.corrected),
    errorsByCause: outcome.errors,
    histograms: {
      latencyCorrected: encodeHistogram(phase.corrected),
      latencyUncorrected: encodeHistogram(phase.uncorrected),
      connect: encodeHistogram(connect.connect),
    },
    driver: {
      shards: ctx.shards,
      cpuSeconds:
        Math.round((ctx.coordinatorCpuSeconds + ctx.usage.reduce((a, u) => a + u.cpuSeconds, 0)) * 1000) / 1000,
      rssBytesPeak: ctx.usage.reduce((a, u) => a + u.rssBytesPeak, 0),
      rssBytesBaseline: ctx.baselineRssBytes.reduce((a, b) => a + b, 0),
      ...(outcome.rssBytesPerConnection === undefined ? {} : { rssBytesPerConnection: outcome.rssBytesPerConnection }),
      ...(outcome.loadCpuSeconds === undefined
        ? {}
        : { loadCpuSeconds: Math.round(outcome.loadCpuSeconds * 1000) / 1000 }),
      ...(ctx.lostShards && ctx.lostShards.length > 0 ? { lostShards: ctx.lostShards } : {}),
    },
    ...(outcome.hold ? { hold: outcome.hold } : {}),
    ...(outcome.short ? { short: outcome.short } : {}),
    ...(outcome.maxRate ? { maxRate: outcome.maxRate } : {}),
  };
}
