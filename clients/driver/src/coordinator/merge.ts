// Merging what shards report into run-wide figures: sums of counters, exact histogram merges.
import { mergeHistograms, type LatencyHistogram } from '@c1m/results';
import type { ConnectReport } from '../ipc/messages.ts';
import { addCauses } from '../recording/stats.ts';

/** Connection outcomes of every shard (or every short loop) together. */
export interface MergedConnect {
  requested: number;
  established: number;
  failed: number;
  failedByCause: Record<string, number>;
  lostDuringRamp: number;
  /** The slowest shard's ramp. */
  seconds: number;
  connect: LatencyHistogram;
  errors: Record<string, number>;
  /** Why a shard's ramp stopped early (the memory guard), the first one reported. */
  stoppedReason?: string;
}

export function mergeConnectReports(reports: readonly ConnectReport[]): MergedConnect {
  const failedByCause: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let requested = 0;
  let established = 0;
  let failed = 0;
  let lostDuringRamp = 0;
  let seconds = 0;
  for (const r of reports) {
    requested += r.requested;
    established += r.established;
    failed += r.failed;
    lostDuringRamp += r.lostDuringRamp;
    seconds = Math.max(seconds, r.seconds);
    addCauses(failedByCause, r.failedByCause);
    addCauses(errors, r.errors);
  }
  const stoppedReason = reports.find((r) => r.stoppedReason)?.stoppedReason;
  return {
    requested,
    established,
    failed,
    failedByCause,
    lostDuringRamp,
    seconds,
    errors,
    connect: mergeHistograms(reports.map((r) => r.connect)),
    ...(stoppedReason ? { stoppedReason } : {}),
  };
}

/** Sums per-round hold counts over shards. */
export function mergeRounds(
  perShard: ReadonlyArray<ReadonlyArray<{ answered: number; missed: number }>>,
): Array<{ answered: number; missed: number }> {
  const rounds = Math.max(0, ...perShard.map((r) => r.length));
  const out = Array.from({ length: rounds }, () => ({ answered: 0, missed: 0 }));
  for (const shard of perShard) {
    shard.forEach((r, k) => {
      out[k]!.answered += r.answered;
      out[k]!.missed += r.missed;
    });
  }
  return out;
}
