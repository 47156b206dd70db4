// The numbers behind the report's charts, computed from a run's result files: throughput and
// p99 per architecture, latency percentile curves from the merged HdrHistograms, server memory
// per held connection, and the `short` loop times. Pure data: html.ts only draws it.
import { HTTP_SCENARIOS } from '../model/http-scenarios.ts';
import { decodeHistogram, mergeHistograms } from '@c1m/results';
import type { CaseResult, ScenarioId } from '../model/case-result.ts';
import type { LoadedRun } from '../model/load-run.ts';
import { type SummaryRow, summaryTables } from './rows.ts';

/** One chart as Chart.js will draw it. */
export interface ChartSpec {
  id: string;
  title: string;
  type: 'bar' | 'line';
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
  xTitle: string;
  yTitle: string;
  yLog?: boolean;
  /** Lower end of a log axis: the power of ten below the smallest value, so no bar starts at its own top. */
  yMin?: number;
}

/** Percentiles of the latency curves. */
export const CURVE_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 99.99, 100] as const;

export function rowLabel(r: { server: string; transport: string; style?: string }): string {
  return [r.server, r.transport, r.style].filter(Boolean).join(' / ');
}

function rowsOf(run: LoadedRun, scenarios: ScenarioId[]): Array<{ scenario: ScenarioId; rows: SummaryRow[] }> {
  return summaryTables(run.cases).scenarios.filter((s) => scenarios.includes(s.scenario));
}

/** A bar chart of one metric, one dataset per scenario, one bar group per row label. */
function metricBars(
  run: LoadedRun,
  id: string,
  title: string,
  scenarios: ScenarioId[],
  metric: keyof SummaryRow['metrics'],
  yTitle: string,
  yLog = false,
): ChartSpec | undefined {
  const tables = rowsOf(run, scenarios);
  const labels = [...new Set(tables.flatMap((t) => t.rows.map(rowLabel)))];
  const datasets = tables.map((t) => ({
    label: t.scenario,
    data: labels.map((l) => t.rows.find((r) => rowLabel(r) === l)?.metrics[metric] ?? null),
  }));
  // A log axis has no place for zero: such a bar is left empty rather than drawn at -infinity.
  if (yLog) for (const d of datasets) d.data = d.data.map((v) => (v !== null && v > 0 ? v : null));
  if (datasets.every((d) => d.data.every((v) => v === null))) return undefined;
  return { id, title, type: 'bar', labels, datasets, xTitle: 'server / transport', yTitle, yLog };
}

/** Percentile curve of one group of cases: merged histograms, or the C client's own percentiles. */
function curveOf(results: CaseResult[]): Array<number | null> | undefined {
  const encoded = results.map((r) => r.driver?.histograms.latencyCorrected).filter((e): e is string => !!e);
  if (encoded.length > 0) {
    const h = encoded.length === 1 ? decodeHistogram(encoded[0]!) : mergeHistograms(encoded);
    if (h.totalCount === 0) return undefined;
    return CURVE_PERCENTILES.map((p) => (p === 100 ? h.maxValue : h.getValueAtPercentile(p)));
  }
  const c = results.find((r) => r.baselineClient)?.baselineClient;
  if (!c) return undefined;
  const known: Record<number, number> = {
    50: c.latencyP50Us,
    90: c.latencyP90Us,
    99: c.latencyP99Us,
    99.9: c.latencyP999Us,
    100: c.latencyMaxUs,
  };
  return CURVE_PERCENTILES.map((p) => known[p] ?? null);
}

function latencyCurves(run: LoadedRun, scenario: ScenarioId, extra: ScenarioId[] = []): ChartSpec | undefined {
  const groups = new Map<string, CaseResult[]>();
  for (const r of run.cases) {
    if (r.status !== 'passed' || (r.case.scenario !== scenario && !extra.includes(r.case.scenario))) continue;
    const label = r.case.scenario === scenario ? rowLabel(r.case) : `${rowLabel(r.case)} (${r.case.scenario})`;
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  const datasets: ChartSpec['datasets'] = [];
  for (const [label, results] of groups) {
    const data = curveOf(results);
    if (data) datasets.push({ label, data: data.map((v) => (v !== null && v > 0 ? v : null)) });
  }
  if (datasets.length === 0) return undefined;
  return {
    id: `latency-curve-${scenario}`,
    title: `Latency by percentile — ${scenario} (corrected for coordinated omission; µs, log scale)`,
    type: 'line',
    labels: CURVE_PERCENTILES.map((p) => (p === 100 ? 'max' : `p${p}`)),
    datasets,
    xTitle: 'percentile',
    yTitle: 'µs',
    yLog: true,
  };
}

function shortLoops(run: LoadedRun): ChartSpec | undefined {
  const rows = rowsOf(run, ['short'])[0]?.rows.filter((r) => r.shortLoopSeconds && r.shortLoopSeconds.length > 0) ?? [];
  if (rows.length === 0) return undefined;
  const loops = Math.max(...rows.map((r) => r.shortLoopSeconds!.length));
  return {
    id: 'short-loops',
    title: 'short — seconds per loop of connect / 100 B round trip / close',
    type: 'line',
    labels: Array.from({ length: loops }, (_, i) => String(i + 1)),
    datasets: rows.map((r) => ({
      label: rowLabel(r),
      data: Array.from({ length: loops }, (_, i) => r.shortLoopSeconds![i] ?? null),
    })),
    xTitle: 'loop',
    yTitle: 'seconds',
  };
}

/** Every chart of the report, in page order; charts without data are left out. */
export function reportCharts(run: LoadedRun): ChartSpec[] {
  const charts: Array<ChartSpec | undefined> = [
    metricBars(
      run,
      'throughput',
      'Throughput per architecture (msgs/s)',
      ['echo-100', 'echo-10k', 'cpu', 'io', 'c-pair'],
      'messagesPerSecond',
      'msgs/s',
    ),
    metricBars(
      run,
      'p99',
      'p99 latency per architecture (µs, log scale)',
      ['echo-100', 'echo-10k', 'cpu', 'io', 'c-pair'],
      'latencyP99Us',
      'µs',
      true,
    ),
    metricBars(
      run,
      'http-throughput',
      'HTTP cases — requests/s per architecture',
      [...HTTP_SCENARIOS],
      'messagesPerSecond',
      'requests/s',
    ),
    metricBars(
      run,
      'http-p99',
      'HTTP cases — p99 latency (µs, log scale)',
      [...HTTP_SCENARIOS],
      'latencyP99Us',
      'µs',
      true,
    ),
    metricBars(
      run,
      'cpu-per-message',
      'Server CPU-seconds per million messages',
      ['echo-100', 'echo-10k', 'cpu', 'io'],
      'serverCpuSecondsPerMillionMessages',
      'CPU-s / M msgs',
    ),
    latencyCurves(run, 'echo-100', ['c-pair']),
    latencyCurves(run, 'echo-10k'),
    metricBars(
      run,
      'memory-per-connection',
      'Server memory per held connection (bytes of RSS growth)',
      ['hold', 'tls-hold'],
      'serverBytesPerConnection',
      'bytes / connection',
    ),
    metricBars(
      run,
      'tls-handshakes',
      'TLS handshakes per second (tls-hold ramp)',
      ['tls-hold'],
      'connectRatePerSecond',
      'handshakes/s',
    ),
    metricBars(run, 'connections-held', 'Connections held', ['hold'], 'connectionsHeld', 'connections'),
    shortLoops(run),
  ];
  const present = charts.filter((c): c is ChartSpec => c !== undefined);
  for (const c of present) {
    if (!c.yLog) continue;
    const values = c.datasets.flatMap((d) => d.data).filter((v): v is number => v !== null && v > 0);
    if (values.length > 0) c.yMin = 10 ** Math.floor(Math.log10(Math.min(...values)));
  }
  return present;
}
