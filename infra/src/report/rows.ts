// Groups a run's cases into table rows: one row per scenario and server/transport/style, the
// median over repetitions, and each figure as a ratio of the C baseline measured closest in time
// (the baseline cases run interleaved with the others, so a ratio never spans a long drift).
import { BASELINE_SERVER, type CaseResult, type ScenarioId, SCENARIOS } from '../model/case-result.ts';
import { type CaseMetrics, caseMetrics, median, medianMetric, METRICS, type MetricName } from '../model/metrics.ts';

/** One table row. */
export interface SummaryRow {
  scenario: ScenarioId;
  key: string;
  server: string;
  transport: string;
  style?: string;
  connectionsRequested: number;
  repetitions: number;
  passed: number;
  failed: number;
  stealFlagged: number;
  metrics: Partial<Record<MetricName, number>>;
  /** This row's figure divided by the baseline's, median over repetitions. */
  ratios: Partial<Record<MetricName, number>>;
  shortLoopSeconds?: number[];
  failures: string[];
  caps: string[];
  isBaseline: boolean;
}

/** Rows grouped by scenario, scenarios in matrix order. */
export interface SummaryTables {
  /** `caps` shared by every row of a scenario are lifted into `commonCaps`. */
  scenarios: Array<{ scenario: ScenarioId; rows: SummaryRow[]; commonCaps: string[] }>;
}

const time = (r: CaseResult) => Date.parse(r.startedAt);

/**
 * The baseline's metrics for a case: the passed baseline cases of the same scenario started
 * closest before and after it, averaged (A B A B bracketing); just one when only one side exists.
 */
export function bracketingBaseline(target: CaseResult, all: CaseResult[]): CaseMetrics | undefined {
  const baselines = all.filter(
    (r) => r.case.server === BASELINE_SERVER && r.case.scenario === target.case.scenario && r.status === 'passed',
  );
  if (baselines.length === 0) return undefined;
  const t = time(target);
  const before = baselines.filter((b) => time(b) <= t).sort((a, b) => time(b) - time(a))[0];
  const after = baselines.filter((b) => time(b) > t).sort((a, b) => time(a) - time(b))[0];
  const chosen = [before, after].filter((b): b is CaseResult => b !== undefined).map(caseMetrics);
  const out: CaseMetrics = { errors: 0 };
  for (const { name } of METRICS) {
    const values = chosen.map((m) => m[name]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0)
      (out as unknown as Record<string, number>)[name] = values.reduce((a, b) => a + b, 0) / values.length;
  }
  return out;
}

function ratiosFor(r: CaseResult, all: CaseResult[]): Partial<Record<MetricName, number>> {
  const base = bracketingBaseline(r, all);
  if (!base) return {};
  const m = caseMetrics(r);
  const out: Partial<Record<MetricName, number>> = {};
  for (const { name } of METRICS) {
    const a = m[name];
    const b = base[name];
    if (name !== 'errors' && typeof a === 'number' && typeof b === 'number' && b > 0) out[name] = a / b;
  }
  return out;
}

/** Builds the summary rows of a run. */
export function summaryTables(cases: CaseResult[]): SummaryTables {
  const byScenario = new Map<ScenarioId, Map<string, CaseResult[]>>();
  for (const r of cases) {
    const rows = byScenario.get(r.case.scenario) ?? new Map<string, CaseResult[]>();
    byScenario.set(r.case.scenario, rows);
    const list = rows.get(r.case.key) ?? [];
    list.push(r);
    rows.set(r.case.key, list);
  }
  const scenarios: SummaryTables['scenarios'] = [];
  for (const scenario of SCENARIOS) {
    const groups = byScenario.get(scenario);
    if (!groups) continue;
    const rows: SummaryRow[] = [];
    for (const [key, results] of groups) {
      const first = results[0]!;
      const passed = results.filter((r) => r.status === 'passed');
      const metricsList = passed.map(caseMetrics);
      const isBaseline = first.case.server === BASELINE_SERVER;
      const metrics: SummaryRow['metrics'] = {};
      const ratios: SummaryRow['ratios'] = {};
      for (const { name } of METRICS) {
        const v = medianMetric(metricsList, name);
        if (v !== undefined) metrics[name] = v;
        if (!isBaseline) {
          const rv = median(passed.map((r) => ratiosFor(r, cases)[name]).filter((x): x is number => x !== undefined));
          if (rv !== undefined) ratios[name] = rv;
        }
      }
      const loops = metricsList.find((m) => m.shortLoopSeconds)?.shortLoopSeconds;
      rows.push({
        scenario,
        key,
        server: first.case.server,
        transport: first.case.transport,
        style: first.case.style,
        connectionsRequested: first.case.connections,
        repetitions: results.length,
        passed: passed.length,
        failed: results.length - passed.length,
        stealFlagged: results.filter((r) => r.steal.flagged).length,
        metrics,
        ratios,
        shortLoopSeconds: loops,
        failures: [...new Set(results.flatMap((r) => r.failures))],
        caps: [...new Set(results.flatMap((r) => r.case.caps))],
        isBaseline,
      });
    }
    // Baseline first, then the architectures in the order they ran.
    rows.sort((a, b) => Number(b.isBaseline) - Number(a.isBaseline));
    const commonCaps = rows[0]!.caps.filter((cap) => rows.every((r) => r.caps.includes(cap)));
    for (const r of rows) r.caps = r.caps.filter((cap) => !commonCaps.includes(cap));
    scenarios.push({ scenario, rows, commonCaps });
  }
  return { scenarios };
}
