// echo: throughput and latency on --connections, closed loop (--pipeline) or open loop (--rate).
import { commonFailures, type RunOutcome } from '../result.ts';
import { connectAll, loadStep, phaseOutcome, rateShares, type ScenarioContext } from '../run.ts';
import { mergePhaseReports } from '../../recording/stats.ts';

export async function runEcho({ options, set }: ScenarioContext): Promise<RunOutcome> {
  const { reports, merged: connect } = await connectAll(set);
  const shares = rateShares(
    options.rate,
    reports.map((r) => r.established),
  );
  const step = loadStep(options, {});
  const loaded = await set.all((i) => ({ type: 'load', step: { ...step, rate: shares[i]! } }), 'loaded');
  const phase = mergePhaseReports(loaded.map((l) => l.report.phase));
  const outcome = {
    ...phaseOutcome(connect, phase, options.durationMs / 1000),
    loadCpuSeconds: loaded.reduce((a, l) => a + l.report.cpuSeconds, 0),
  };
  return { ...outcome, failures: commonFailures(outcome, 'echo') };
}
