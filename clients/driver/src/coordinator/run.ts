// Runs one scenario end to end in the coordinator: plan and fork the shards, run the scenario's
// steps on them, close them (RST), and shape what they measured into a DriverResult.
import { performance } from 'node:perf_hooks';
import { captureEnv } from '@c1m/results';
import type { DriverResult } from '@c1m/schema';
import { lostShardFailure } from './lost-shard.ts';
import { mergeConnectReports, type MergedConnect } from './merge.ts';
import type { ConnectReport, LoadStep, ShardInit, ShardUsage } from '../ipc/messages.ts';
import type { Options } from '../options/options.ts';
import { planShards, shardCount } from './plan.ts';
import { ProgressLine } from './progress.ts';
import { buildResult, type RunOutcome } from './result.ts';
import { addCauses, type MergedPhase } from '../recording/stats.ts';
import { ShardSet } from './shard-set.ts';

/** Steps start this long after the coordinator sends them, so every shard starts together. */
export const START_DELAY_MS = 100;

/** What a scenario runs with. */
export interface ScenarioContext {
  options: Options;
  set: ShardSet;
  inits: ShardInit[];
  /** Prints a line of the run's own output (short's per-loop lines). */
  log: (line: string) => void;
}

export type ScenarioRunner = (ctx: ScenarioContext) => Promise<RunOutcome>;

/** Ramps every shard's connections; resolves with the per-shard reports and their merge. */
export async function connectAll(set: ShardSet): Promise<{ reports: ConnectReport[]; merged: MergedConnect }> {
  const startAtMs = Date.now() + START_DELAY_MS;
  const replies = await set.all(() => ({ type: 'connect', startAtMs }), 'connected');
  const reports = replies.map((r) => r.report);
  return { reports, merged: mergeConnectReports(reports) };
}

/** The outcome fields every load scenario shares: totals of the phase, errors of ramp and phase. */
export function phaseOutcome(
  connect: MergedConnect,
  phase: MergedPhase,
  durationSeconds: number,
): Omit<RunOutcome, 'failures'> {
  const errors = { ...connect.errors };
  addCauses(errors, phase.errors);
  return { connect, phase, messages: phase.counts, errors, durationSeconds, peakConnections: connect.established };
}

/** Splits a total message rate over shards in proportion to their open connections. */
export function rateShares(total: number, established: readonly number[]): number[] {
  const sum = established.reduce((a, b) => a + b, 0);
  return established.map((n) => (sum > 0 ? (total * n) / sum : 0));
}

/** A load step with the run's defaults; scenario code overrides what differs. */
export function loadStep(options: Options, overrides: Partial<LoadStep>): LoadStep {
  return {
    mode: options.rate > 0 ? 'open' : 'closed',
    rate: 0,
    pipeline: options.pipeline,
    startAtMs: Date.now() + START_DELAY_MS,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    graceMs: options.graceMs,
    pingIntervalMs: options.pingIntervalMs,
    precise: options.timing === 'precise',
    measureRss: false,
    ...overrides,
  };
}

/**
 * Node flags of a shard. --expose-gc lets memory be measured after a collection. hold keeps
 * tens of thousands of idle sockets: a 1 MiB young generation and --optimize-for-size keep
 * the heap near what is live (18K idle plain net.Socket clients: ~5.1 KB RSS each with node's
 * defaults, ~3.0 KB with these flags). --no-memory-reducer: the shard compacts its heap itself
 * when its ramp ends (the forced collections that measure its memory); V8's memory reducer then
 * ran two more full collections in the first seconds of the hold, ~4 CPU-µs of every ping at
 * 600 pings/s (README: the load generator's CPU per ping).
 */
export function shardExecArgv(options: Options): string[] {
  const flags = ['--expose-gc'];
  if (options.scenario === 'hold') flags.push('--max-semi-space-size=1', '--optimize-for-size', '--no-memory-reducer');
  // Extra node flags for profiling a shard (e.g. --cpu-prof), space-separated.
  const extra = process.env.C1M_SHARD_NODE_FLAGS?.trim();
  if (extra) flags.push(...extra.split(/\s+/));
  return flags;
}

/** Which shards this process forks and how it steps them: every slice (local), or one (a pod). */
export interface RunPlan {
  inits: ShardInit[];
  /** The options the scenario's steps run with (a pod's slice carries its share of --rate). */
  stepOptions: Options;
  /** Awaited once the shards are ready, before the first step (a pod's start barrier). */
  beforeFirstStep?: () => Promise<void>;
  /** Adds what only this plan records to the finished result (a slice's exact byte counts). */
  annotate?: (result: DriverResult, outcome: RunOutcome) => DriverResult;
}

/** The local plan: every slice of shardCount(options), stepped with the run's own options. */
export function localPlan(options: Options, progress: boolean): RunPlan {
  return { inits: planShards(options, shardCount(options), progress), stepOptions: options };
}

/** Runs the scenario and returns its result. `progress` shows the live line on stderr. */
export async function runScenario(
  options: Options,
  runner: ScenarioRunner,
  command: string[],
  log: (line: string) => void,
  progress: boolean,
  plan: RunPlan = localPlan(options, progress),
): Promise<DriverResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const env = captureEnv();
  const { inits } = plan;
  const shards = inits.length;
  const set = await ShardSet.start(inits, shardExecArgv(options));
  const line = progress ? new ProgressLine(set, options.scenario) : null;
  let outcome: RunOutcome;
  let usage: ShardUsage[];
  try {
    await plan.beforeFirstStep?.();
    outcome = await runner({ options: plan.stepOptions, set, inits, log });
    usage = await set.close();
    // A shard that died leaves the other shards' figures: report them, name what is missing, fail.
    if (set.lost.length > 0)
      outcome = { ...outcome, failures: [...set.lost.map(lostShardFailure), ...outcome.failures] };
  } catch (err) {
    set.kill();
    throw err;
  } finally {
    line?.stop();
  }
  const cpu = process.cpuUsage();
  const result = buildResult(
    {
      options,
      command,
      env,
      startedAt,
      wallSeconds: (performance.now() - t0) / 1000,
      shards,
      usage,
      coordinatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
      baselineRssBytes: set.baselineRssBytes,
      lostShards: set.lost,
    },
    outcome,
  );
  return plan.annotate ? plan.annotate(result, outcome) : result;
}
