// Progress of a run on stderr: case k of n, elapsed, and an ETA from the planned durations of
// the cases left, scaled by how the finished ones compared with their plan.
import type { CaseResult, CaseSpec } from '../model/case-result.ts';
import type { Profile } from '../matrix/profiles.ts';
import { caseMetrics } from '../model/metrics.ts';
import { formatMetric } from '../report/format.ts';

/** Planned seconds of one case: start, connect, warm-up, load, stop. */
export function estimateSeconds(spec: CaseSpec, profile: Profile): number {
  const connect = spec.connections / profile.connectRate;
  const load =
    spec.scenario === 'short'
      ? (spec.loops ?? 1) * (0.3 + spec.connections / 3000)
      : spec.warmupSeconds + spec.durationSeconds;
  return 2.5 + connect + load;
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

export class Progress {
  private readonly started = performance.now();
  private plannedDone = 0;
  private readonly plannedTotal: number;

  constructor(
    private readonly cases: CaseSpec[],
    private readonly profile: Profile,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
  ) {
    this.plannedTotal = cases.reduce((sum, c) => sum + estimateSeconds(c, profile), 0);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** ETA in seconds for the cases not yet finished. */
  etaSeconds(): number {
    const left = this.plannedTotal - this.plannedDone;
    const pace = this.plannedDone > 0 ? Math.min(3, Math.max(0.5, this.elapsedSeconds() / this.plannedDone)) : 1;
    return left * pace;
  }

  begin(index: number): void {
    const c = this.cases[index]!;
    this.write(
      `[case ${index + 1}/${this.cases.length}] ${c.key}${c.repetition > 1 ? ` (round ${c.repetition})` : ''} — ` +
        `elapsed ${clock(this.elapsedSeconds())}, ETA ${clock(this.etaSeconds())}\n`,
    );
  }

  end(index: number, r: CaseResult): void {
    this.plannedDone += estimateSeconds(this.cases[index]!, this.profile);
    const m = caseMetrics(r);
    const figures = [
      m.messagesPerSecond !== undefined ? `${formatMetric('messagesPerSecond', m.messagesPerSecond)} msgs/s` : '',
      m.latencyP99Us !== undefined ? `p99 ${formatMetric('latencyP99Us', m.latencyP99Us)} µs` : '',
      r.case.scenario === 'hold' && m.connectionsHeld !== undefined
        ? `${formatMetric('connectionsHeld', m.connectionsHeld)} held`
        : '',
      r.timeWait.outcome !== 'clear' ? `waited ${r.timeWait.waitedSeconds}s for TIME_WAIT` : '',
      r.steal.flagged ? `STEAL ${r.steal.meanPercent}%` : '',
    ].filter(Boolean);
    this.write(
      r.status === 'passed'
        ? `    passed in ${r.wallSeconds}s${figures.length ? `: ${figures.join(', ')}` : ''}\n`
        : `    FAILED in ${r.wallSeconds}s: ${r.failures.join('; ').slice(0, 500)}\n`,
    );
  }
}
