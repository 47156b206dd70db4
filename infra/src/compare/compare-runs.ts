// compare's core: pairs the cases of two sides (each one or more runs) by key, and judges every
// metric with the noise rule. Cases flagged for CPU steal are left out of the judgement.
import { BASELINE_SERVER, type CaseResult } from '../model/case-result.ts';
import type { LoadedRun } from '../model/load-run.ts';
import { caseMetrics, METRICS, type MetricName, median } from '../model/metrics.ts';
import { envDifferences } from './env-diff.ts';
import { judge, type Judgement, NOISE_FLOOR, spread } from './noise.ts';

export type Verdict = 'regression' | 'improvement' | 'within noise';

/** One metric of one case, A against B. */
export interface ComparedMetric {
  key: string;
  metric: MetricName;
  better: 'higher' | 'lower';
  /** Medians of each side. */
  a: number;
  b: number;
  /** (ratio − 1): the median change. */
  change: number;
  judgement: Judgement;
  verdict: Verdict;
}

/** The whole comparison. */
export interface Comparison {
  a: string[];
  b: string[];
  envDifferences: string[];
  rows: ComparedMetric[];
  /** Error counts per case that went up from A to B (errors are judged on count, not noise). */
  errorIncreases: Array<{ key: string; a: number; b: number }>;
  onlyInA: string[];
  onlyInB: string[];
  notes: string[];
  regressions: number;
}

const startMs = (r: CaseResult) => Date.parse(r.startedAt);

function byKey(runs: LoadedRun[]): Map<string, CaseResult[]> {
  const map = new Map<string, CaseResult[]>();
  for (const run of runs) {
    for (const r of run.cases) map.set(r.case.key, [...(map.get(r.case.key) ?? []), r]);
  }
  for (const list of map.values()) list.sort((x, y) => startMs(x) - startMs(y));
  return map;
}

const PARAMS = ['connections', 'durationSeconds', 'sizeBytes', 'pipeline', 'workers', 'loops'] as const;

function paramDifference(a: CaseResult, b: CaseResult): string | undefined {
  const diffs = PARAMS.filter((p) => a.case[p] !== b.case[p]).map(
    (p) => `${p} ${a.case[p] ?? '—'} vs ${b.case[p] ?? '—'}`,
  );
  return diffs.length > 0 ? diffs.join(', ') : undefined;
}

/** Compares side B against side A. */
export function compareRuns(sideA: LoadedRun[], sideB: LoadedRun[]): Comparison {
  const envDiffs = envDifferences(sideA[0]?.env, sideB[0]?.env);
  for (const side of [sideA, sideB]) {
    for (const run of side.slice(1))
      envDiffs.push(...envDifferences(side[0]!.env, run.env).map((d) => `within a side: ${d}`));
  }
  const A = byKey(sideA);
  const B = byKey(sideB);
  const out: Comparison = {
    a: sideA.map((r) => r.run.runId),
    b: sideB.map((r) => r.run.runId),
    envDifferences: envDiffs,
    rows: [],
    errorIncreases: [],
    onlyInA: [...A.keys()].filter((k) => !B.has(k)),
    onlyInB: [...B.keys()].filter((k) => !A.has(k)),
    notes: [],
    regressions: 0,
  };
  // Per scenario and metric: how far the C baseline's repeated cases (brackets, rounds) moved.
  const usable = (list: CaseResult[]) => list.filter((r) => r.status === 'passed' && !r.steal.flagged);
  const baselineNoise = (scenario: string, metric: MetricName): number | undefined => {
    const series = [A, B].map((side) =>
      usable([...side.values()].flat().filter((r) => r.case.server === BASELINE_SERVER && r.case.scenario === scenario))
        .map((r) => caseMetrics(r)[metric])
        .filter((v): v is number => typeof v === 'number'),
    );
    return spread(series);
  };
  let singleRepetition = false;
  let borrowedNoise = false;
  let farApartMinutes = 0;
  for (const [key, allA] of A) {
    const allB = B.get(key);
    if (!allB) continue;
    const params = paramDifference(allA[0]!, allB[0]!);
    if (params) {
      out.notes.push(`${key}: not compared, parameters differ (${params})`);
      continue;
    }
    const a = usable(allA);
    const b = usable(allB);
    const dropped = allA.length - a.length + allB.length - b.length;
    if (dropped > 0) out.notes.push(`${key}: ${dropped} repetition(s) left out (failed or flagged for CPU steal)`);
    if (a.length === 0 || b.length === 0) continue;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      farApartMinutes = Math.max(farApartMinutes, Math.abs(startMs(b[i]!) - startMs(a[i]!)) / 60_000);
    }
    const mA = a.map(caseMetrics);
    const mB = b.map(caseMetrics);
    // Both sides have a usable result here, so every median below is of a non-empty list.
    const errorsA = median(mA.map((m) => m.errors))!;
    const errorsB = median(mB.map((m) => m.errors))!;
    if (errorsB > errorsA) {
      out.errorIncreases.push({ key, a: errorsA, b: errorsB });
      out.regressions++;
    }
    for (const { name, better } of METRICS) {
      if (name === 'errors') continue;
      const va = mA.map((m) => m[name]).filter((v): v is number => typeof v === 'number');
      const vb = mB.map((m) => m[name]).filter((v): v is number => typeof v === 'number');
      if (va.length !== mA.length || vb.length !== mB.length) continue;
      const j = judge(va, vb, NOISE_FLOOR, baselineNoise(allA[0]!.case.scenario, name));
      if (!j) continue;
      if (j.noiseSource === 'baseline') borrowedNoise = true;
      if (j.noiseSource === 'unmeasured') singleRepetition = true;
      const worse = better === 'higher' ? j.ratio < 1 : j.ratio > 1;
      const verdict: Verdict = !j.notable ? 'within noise' : worse ? 'regression' : 'improvement';
      if (verdict === 'regression') out.regressions++;
      out.rows.push({
        key,
        metric: name,
        better,
        a: median(va)!,
        b: median(vb)!,
        change: j.ratio - 1,
        judgement: j,
        verdict,
      });
    }
  }
  if (borrowedNoise) {
    out.notes.push(
      "cases with one repetition per side take their noise from the C baseline's repeated cases of the same " +
        'scenario (noise marked "baseline")',
    );
  }
  if (singleRepetition) {
    out.notes.push(
      `cases with one repetition per side and no baseline noise have only the ${NOISE_FLOOR * 100}% floor ` +
        `("unmeasured"); ` +
        'run bench:all --repeat 3 (or compare several runs per side, made alternately: compare a1,a2 b1,b2)',
    );
  }
  if (farApartMinutes > 30) {
    out.notes.push(
      `paired measurements were up to ${Math.round(farApartMinutes)} minutes apart: drift of a shared machine ` +
        `between them ` +
        'is not cancelled; for a verdict, run A and B alternately (A B A B) and pass the runs as lists',
    );
  }
  return out;
}
