// Counters and histograms of one phase of a shard, in a form that crosses the IPC channel
// (plain numbers, HdrHistogram encodings) and merges exactly in the coordinator.
import {
  createHistogram,
  encodeHistogram,
  LatencyRecorder,
  mergeHistograms,
  type LatencyHistogram,
} from '@c1m/results';
import type { FailureCause } from '@c1m/protocol';
import type { MessageCounts, PhaseReport } from '../ipc/messages.ts';

/** Adds one to `map[key]`. */
export function countCause(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Adds every count of `from` into `into`. */
export function addCauses(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) countCause(into, key, n);
}

/** One load phase's counters, errors and latency histograms (live, in a shard). */
export class PhaseStats {
  readonly counts: MessageCounts = {
    sent: 0,
    received: 0,
    mismatches: 0,
    missing: 0,
    notSent: 0,
    measured: 0,
    bytesSentMeasured: 0,
    bytesReceivedMeasured: 0,
  };
  readonly errors: Record<string, number> = {};
  /**
   * From the scheduled send time (open loop) or the send time (closed loop). Recorders, not bare
   * histograms: recording straight into hdr-histogram-js cost ~150 ns a value, two per reply.
   */
  readonly corrected = new LatencyRecorder(createHistogram());
  /** From the actual send time. */
  readonly uncorrected = new LatencyRecorder(createHistogram());

  error(cause: FailureCause): void {
    countCause(this.errors, cause);
  }

  /** The transferable form. */
  report(): PhaseReport {
    return {
      counts: { ...this.counts },
      errors: { ...this.errors },
      corrected: encodeHistogram(this.corrected.flush()),
      uncorrected: encodeHistogram(this.uncorrected.flush()),
    };
  }
}

/** Merged phase reports of several shards: counts summed, histograms merged exactly. */
export interface MergedPhase {
  counts: MessageCounts;
  errors: Record<string, number>;
  corrected: LatencyHistogram;
  uncorrected: LatencyHistogram;
}

/** Sums counts and errors and merges the histograms of every report. */
export function mergePhaseReports(reports: readonly PhaseReport[]): MergedPhase {
  const counts = new PhaseStats().counts;
  const errors: Record<string, number> = {};
  for (const r of reports) {
    for (const key of Object.keys(counts) as (keyof MessageCounts)[]) counts[key] += r.counts[key];
    addCauses(errors, r.errors);
  }
  return {
    counts,
    errors,
    corrected: mergeHistograms(reports.map((r) => r.corrected)),
    uncorrected: mergeHistograms(reports.map((r) => r.uncorrected)),
  };
}
