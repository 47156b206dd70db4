// max-rate: the highest open-loop rate whose p99 (from the scheduled send time) stays within
// --slo. Each step is its own open-loop run on the same connections: double from --start-rate
// until a step fails, then bisect between the best passing and the first failing rate.
import { summarizeHistogram } from '@c1m/results';
import type { DriverResult } from '@c1m/schema';
import { commonFailures, type RunOutcome } from '../result.ts';
import { connectAll, loadStep, rateShares, type ScenarioContext } from '../run.ts';
import type { MessageCounts } from '../../ipc/messages.ts';
import { addCauses, mergePhaseReports, type MergedPhase } from '../../recording/stats.ts';

/** Bisection stops when the bracket is this narrow relative to its top. */
const RESOLUTION = 0.05;
/** An overloaded step leaves a backlog at the server: let it drain before the next step starts. */
const STEP_DRAIN_MS = 10_000;

export async function runMaxRate({ options, set }: ScenarioContext): Promise<RunOutcome> {
  const { reports, merged: connect } = await connectAll(set);
  const established = reports.map((r) => r.established);
  const errors = { ...connect.errors };
  const steps: NonNullable<DriverResult['maxRate']>['steps'] = [];
  let totals: MessageCounts | null = null;
  let best: { rate: number; phase: MergedPhase } | null = null;
  let lastPhase: MergedPhase | null = null;
  let loadCpuSeconds = 0;
  let low = 0;
  let high = Number.POSITIVE_INFINITY;
  let rate = options.startRate;
  const durationSeconds = options.stepDurationMs / 1000;
  for (let k = 0; k < options.maxSteps && connect.established > 0; k++) {
    const shares = rateShares(rate, established);
    const step = loadStep(options, {
      mode: 'open',
      durationMs: options.stepDurationMs,
      graceMs: Math.max(options.graceMs, STEP_DRAIN_MS),
    });
    const loaded = await set.all((i) => ({ type: 'load', step: { ...step, rate: shares[i]! } }), 'loaded');
    const phase = mergePhaseReports(loaded.map((l) => l.report.phase));
    lastPhase = phase;
    loadCpuSeconds += loaded.reduce((a, l) => a + l.report.cpuSeconds, 0);
    addCauses(errors, phase.errors);
    if (totals === null) totals = { ...phase.counts };
    else for (const key of Object.keys(totals) as (keyof MessageCounts)[]) totals[key] += phase.counts[key];
    const summary = summarizeHistogram(phase.corrected);
    const withinSlo =
      summary.count > 0 &&
      summary.p99Us <= options.sloUs &&
      phase.counts.missing === 0 &&
      phase.counts.mismatches === 0;
    steps.push({
      rate: Math.round(rate),
      messagesPerSecond: Math.round((phase.counts.measured / durationSeconds) * 10) / 10,
      p50Us: summary.p50Us,
      p99Us: summary.p99Us,
      missing: phase.counts.missing,
      withinSlo,
    });
    if (withinSlo) {
      low = rate;
      best = { rate, phase };
    } else high = rate;
    if (high === Number.POSITIVE_INFINITY) rate *= 2;
    else {
      if ((high - low) / high <= RESOLUTION) break;
      rate = low === 0 ? high / 2 : (low + high) / 2;
      if (rate < 1) break;
    }
    rate = Math.round(rate);
  }
  const phase = best?.phase ?? lastPhase ?? mergePhaseReports([]);
  const outcome = {
    connect,
    phase,
    messages: totals ?? phase.counts,
    errors,
    durationSeconds,
    peakConnections: connect.established,
    loadCpuSeconds,
    maxRate: { sloP99Us: options.sloUs, steps, bestRate: Math.round(best?.rate ?? 0) },
  };
  return { ...outcome, failures: commonFailures(outcome, 'max-rate') };
}
