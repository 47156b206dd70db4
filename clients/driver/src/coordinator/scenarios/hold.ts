// hold: ramp to --connections at --connect-rate, hold them for --duration, and prove each one
// alive with an echo round trip once per --ping-interval (counted per round: answered, missed).
import { summarizeHistogram } from '@c1m/results';
import { mergeRounds } from '../merge.ts';
import { commonFailures, type RunOutcome } from '../result.ts';
import { connectAll, loadStep, phaseOutcome, type ScenarioContext } from '../run.ts';
import { mergePhaseReports } from '../../recording/stats.ts';

export async function runHold({ options, set }: ScenarioContext): Promise<RunOutcome> {
  const { reports, merged: connect } = await connectAll(set);
  const step = loadStep(options, { mode: 'hold', warmupMs: 0, precise: false, measureRss: true });
  const loaded = (await set.all(() => ({ type: 'load', step }), 'loaded')).map((l) => l.report);
  const phase = mergePhaseReports(loaded.map((l) => l.phase));
  const rounds = mergeRounds(loaded.map((l) => l.rounds));
  const spreadSeconds = Math.min(options.pingIntervalMs, options.durationMs) / 1000;
  // Bytes per connection: the larger of after-ramp and end-of-hold (after pings), over each shard's baseline.
  let grown = 0;
  reports.forEach((r, i) => {
    grown += Math.max(r.rssBytes, loaded[i]!.rssBytes) - set.baselineRssBytes[i]!;
  });
  const outcome = {
    ...phaseOutcome(connect, phase, options.durationMs / 1000),
    loadCpuSeconds: loaded.reduce((a, l) => a + l.cpuSeconds, 0),
    ...(connect.established > 0 ? { rssBytesPerConnection: Math.round(grown / connect.established) } : {}),
    hold: {
      pingIntervalSeconds: options.pingIntervalMs / 1000,
      rounds: rounds.map((r, k) => ({ atSeconds: Math.round(k * spreadSeconds * 1000) / 1000, ...r })),
      pingRttUs: summarizeHistogram(phase.uncorrected),
    },
  };
  return { ...outcome, failures: [...commonFailures(outcome, 'hold'), ...missedRoundFailures(rounds)] };
}

/** One failure per hold round in which some connection did not answer its ping in time. */
export function missedRoundFailures(rounds: ReadonlyArray<{ missed: number }>): string[] {
  return rounds.flatMap((r, k) =>
    r.missed > 0 ? [`round ${k + 1}: ${r.missed} connections did not answer their ping in time`] : [],
  );
}
