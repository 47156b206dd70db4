// Merging the result files of the slices of one run (pods of an Indexed Job, or hosts of
// bench:hosts) into one DriverResult, exactly as the coordinator merges its own shards: counters
// added, HdrHistograms added bucket by bucket, percentiles taken from the sum (never averaged).
// Slices of different runs are refused with a coded error instead of being added.
import { UsageError } from '@c1m/cli';
import { readFileSync } from 'node:fs';
import { histogramSettings, summarizeHistogram } from '@c1m/results';
import type { DriverResult, ShardFigures } from '@c1m/schema';
import { mergeConnectReports, mergeRounds } from './merge.ts';
import type { ConnectReport, PhaseReport } from '../ipc/messages.ts';
import type { Options } from '../options/options.ts';
import { buildResult, commonFailures } from './result.ts';
import { phaseOutcome } from './run.ts';
import { missedRoundFailures } from './scenarios/hold.ts';
import { mergePhaseReports } from '../recording/stats.ts';
import { parseTargets } from '../options/values.ts';

/** Why a set of files cannot be merged; `code` is stable (C1M_MERGE_*). */
export class MergeError extends UsageError {
  constructor(code: string, message: string) {
    super(message, code);
    this.name = 'MergeError';
  }
}

/** One slice's result and where it was read from. */
export interface SliceFile {
  file: string;
  result: DriverResult;
}

/** Options that may differ between slices of one run: where each wrote its result, its local process count. */
const PER_SLICE_OPTIONS: ReadonlySet<string> = new Set(['json', 'shards']);

/**
 * Reads a slice result: a result file, or a pod's log (`kubectl logs`) in which the result is
 * the one line that starts `{"tool":"c1m-load"` (`--json -` prints it so).
 */
export function readSliceFile(file: string): SliceFile {
  const text = readFileSync(file, 'utf8');
  const candidates = [text, ...text.split('\n').filter((line) => line.startsWith('{"tool":"c1m-load"'))];
  for (const candidate of candidates) {
    try {
      const parsed = JSON.parse(candidate) as DriverResult;
      if (parsed?.tool === 'c1m-load') return { file, result: parsed };
    } catch {
      // not this one: a log holds other lines
    }
  }
  throw new MergeError(
    'C1M_MERGE_NO_RESULT',
    `${file} holds no c1m-load result (a --json file, or a log with the line --json - prints)`,
  );
}

function comparable(r: DriverResult): string {
  const options = Object.fromEntries(Object.entries(r.options).filter(([k]) => !PER_SLICE_OPTIONS.has(k)));
  return JSON.stringify(options);
}

function differingKeys(a: DriverResult, b: DriverResult): string[] {
  const keys = new Set([...Object.keys(a.options), ...Object.keys(b.options)]);
  return [...keys].filter(
    (k) => !PER_SLICE_OPTIONS.has(k) && JSON.stringify(a.options[k]) !== JSON.stringify(b.options[k]),
  );
}

/** Throws MergeError unless the files are every slice, once, of one and the same run. */
export function checkSameRun(slices: readonly SliceFile[]): void {
  if (slices.length === 0) throw new MergeError('C1M_MERGE_NO_FILES', 'no result files given');
  const [first] = slices;
  for (const { file, result } of slices) {
    if (result.shard === undefined)
      throw new MergeError(
        'C1M_MERGE_NOT_A_SLICE',
        `${file} is not a slice (run with --shard-index/--shard-count); a local run is already merged`,
      );
  }
  const ref = first!.result;
  for (const { file, result } of slices.slice(1)) {
    const where = `${file} vs ${first!.file}`;
    if (result.schemaVersion !== ref.schemaVersion)
      throw new MergeError(
        'C1M_MERGE_MIXED_SCHEMA',
        `${where}: schemaVersion ${result.schemaVersion} vs ${ref.schemaVersion}`,
      );
    if (result.scenario !== ref.scenario)
      throw new MergeError('C1M_MERGE_MIXED_SCENARIO', `${where}: scenario ${result.scenario} vs ${ref.scenario}`);
    if (result.target.join(',') !== ref.target.join(','))
      throw new MergeError(
        'C1M_MERGE_MIXED_TARGET',
        `${where}: target ${result.target.join(',')} vs ${ref.target.join(',')}`,
      );
    if (comparable(result) !== comparable(ref))
      throw new MergeError(
        'C1M_MERGE_MIXED_OPTIONS',
        `${where}: options differ in ${differingKeys(result, ref).join(', ')}`,
      );
    if (result.shard!.count !== ref.shard!.count)
      throw new MergeError(
        'C1M_MERGE_SHARD_SET',
        `${where}: --shard-count ${result.shard!.count} vs ${ref.shard!.count}`,
      );
    if (result.shard!.startAt !== ref.shard!.startAt) {
      throw new MergeError(
        'C1M_MERGE_MIXED_START',
        `${where}: start ${result.shard!.startAt} vs ${ref.shard!.startAt} (slices of one run share --start-at)`,
      );
    }
  }
  for (const { file, result } of slices) {
    for (const [name, encoded] of Object.entries(result.histograms)) {
      const settings = histogramSettings(encoded);
      const want = histogramSettings(ref.histograms[name as keyof DriverResult['histograms']]);
      if (
        settings.lowestDiscernibleValue !== want.lowestDiscernibleValue ||
        settings.significantDigits !== want.significantDigits
      ) {
        throw new MergeError(
          'C1M_MERGE_MIXED_HISTOGRAM',
          `${file}: histogram ${name} has ` +
            `lowest ${settings.lowestDiscernibleValue}, ${settings.significantDigits} significant ` +
            `digits; ${first!.file} has ${want.lowestDiscernibleValue}, ${want.significantDigits}`,
        );
      }
    }
  }
  const count = ref.shard!.count;
  const seen = new Map<number, string>();
  for (const { file, result } of slices) {
    const other = seen.get(result.shard!.index);
    if (other !== undefined)
      throw new MergeError(
        'C1M_MERGE_SHARD_SET',
        `slice ${result.shard!.index} appears twice (${other}, ${file}): a retried pod would double its load`,
      );
    seen.set(result.shard!.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new MergeError('C1M_MERGE_SHARD_SET', `slices ${missing.join(', ')} of ${count} are missing`);
}

/** The Options a slice ran with, rebuilt from its result (what buildResult needs). */
function optionsOf(r: DriverResult): Options {
  const { meanSizeBytes: _m, mode: _mode, ...rest } = r.options;
  return {
    ...(rest as unknown as Options),
    scenario: r.scenario,
    targets: parseTargets(r.target.join(',')),
    slice: null,
  };
}

function connectReportOf(r: DriverResult): ConnectReport {
  const c = r.connections;
  return {
    requested: c.requested,
    established: c.established,
    failed: c.failed,
    failedByCause: c.failedByCause,
    lostDuringRamp: c.lostDuringRamp ?? 0,
    // Ramp errors are already inside errorsByCause, which the phase report carries.
    errors: {},
    seconds: c.connectSeconds,
    connect: r.histograms.connect,
    rssBytes: 0,
    ...(c.rampStoppedReason ? { stoppedReason: c.rampStoppedReason } : {}),
  };
}

function phaseReportOf(r: DriverResult): PhaseReport {
  const m = r.messages;
  return {
    counts: {
      sent: m.sent,
      received: m.received,
      mismatches: m.mismatches,
      missing: m.missing,
      notSent: m.notSent ?? 0,
      measured: m.measured ?? 0,
      bytesSentMeasured: r.shard!.bytesSentMeasured,
      bytesReceivedMeasured: r.shard!.bytesReceivedMeasured,
    },
    errors: r.errorsByCause,
    corrected: r.histograms.latencyCorrected,
    uncorrected: r.histograms.latencyUncorrected,
  };
}

function figuresOf(r: DriverResult): ShardFigures {
  return {
    index: r.shard!.index,
    hostname: r.env.hostname,
    established: r.connections.established,
    sent: r.messages.sent,
    received: r.messages.received,
    missing: r.messages.missing,
    messagesPerSecond: r.messagesPerSecond,
    latencyP99Us: r.latencyUs.p99Us,
    startOffsetMs: r.shard!.startOffsetMs,
    passed: r.passed,
  };
}

/** Merges every slice of one run (checked by checkSameRun) into the result one coordinator would write. */
export function mergeSlices(input: readonly SliceFile[], command: string[]): DriverResult {
  checkSameRun(input);
  const slices = [...input].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  const results = slices.map((s) => s.result);
  const first = results[0]!;
  const connect = mergeConnectReports(results.map(connectReportOf));
  const phase = mergePhaseReports(results.map(phaseReportOf));
  const base = phaseOutcome(connect, phase, first.durationSeconds);
  const loadCpu = results.map((r) => r.driver.loadCpuSeconds);
  const perConnection = results.map((r) => r.driver.rssBytesPerConnection);
  const outcome = {
    ...base,
    ...(loadCpu.every((x) => x !== undefined) ? { loadCpuSeconds: loadCpu.reduce((a, b) => a + b!, 0) } : {}),
    // Each slice's bytes per connection weighted by its connections (each was rounded to the byte).
    ...(perConnection.every((x) => x !== undefined) && connect.established > 0
      ? {
          rssBytesPerConnection: Math.round(
            results.reduce((a, r) => a + r.driver.rssBytesPerConnection! * r.connections.established, 0) /
              connect.established,
          ),
        }
      : {}),
  };
  let hold: DriverResult['hold'];
  let roundFailures: string[] = [];
  if (first.hold) {
    const rounds = mergeRounds(results.map((r) => r.hold?.rounds ?? []));
    const at = first.hold.rounds.map((r) => r.atSeconds);
    hold = {
      pingIntervalSeconds: first.hold.pingIntervalSeconds,
      rounds: rounds.map((r, k) => ({ atSeconds: at[k] ?? 0, ...r })),
      pingRttUs: summarizeHistogram(phase.uncorrected),
    };
    roundFailures = missedRoundFailures(rounds);
  }
  const withHold = { ...outcome, ...(hold ? { hold } : {}) };
  const failures = [...commonFailures(withHold, first.scenario), ...roundFailures];
  const startedAt = new Date(Math.min(...results.map((r) => Date.parse(r.startedAt))));
  const merged = buildResult(
    {
      options: optionsOf(first),
      command,
      env: first.env,
      startedAt,
      wallSeconds: Math.max(...results.map((r) => r.wallSeconds ?? 0)),
      shards: results.reduce((a, r) => a + r.driver.shards, 0),
      usage: results.map((r) => ({ cpuSeconds: r.driver.cpuSeconds, rssBytesPeak: r.driver.rssBytesPeak })),
      coordinatorCpuSeconds: 0,
      baselineRssBytes: results.map((r) => r.driver.rssBytesBaseline ?? 0),
    },
    { ...withHold, failures },
  );
  const offsets = results.map((r) => r.shard!.startOffsetMs);
  return {
    ...merged,
    merge: {
      files: slices.map((s) => s.file),
      perShard: results.map(figuresOf),
      startOffsetSpreadMs: Math.round((Math.max(...offsets) - Math.min(...offsets)) * 1000) / 1000,
    },
  };
}
