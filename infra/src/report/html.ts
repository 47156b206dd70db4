// results/<run-id>/report.html: one self-contained page (opens from disk, fetches nothing) with
// the summary tables and Chart.js charts. Chart.js's UMD build is inlined from node_modules;
// every string that comes from a result file is HTML-escaped, and chart data travels as a JSON
// island that the page reads with textContent.
import { REFERENCE_SCENARIO } from '../model/http-scenarios.ts';
import { referenceRows } from './http-reference.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LoadedRun } from '../model/load-run.ts';
import { METRICS } from '../model/metrics.ts';
import { type ChartSpec, reportCharts, rowLabel } from './chart-data.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { formatDuration, formatMetric, formatRatio, SCENARIO_TITLES } from './format.ts';
import { summaryTables } from './rows.ts';

/** The browser build of Chart.js, read from the installed package. */
function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js'); // .../chart.js/dist/chart.cjs
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8').replaceAll('</script', '<\\/script');
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1d2327;max-width:1400px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:right;white-space:nowrap}
th:first-child,td:first-child,td.notes{text-align:left}td.notes{white-space:normal;max-width:380px;color:#555}
tr.baseline{background:#f3f6f9}.ratio{color:#6a737d;font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:24px}
.chart{position:relative;height:360px;border:1px solid #e1e4e8;padding:8px}
.failed{color:#b42318}ul.meta li{margin:2px 0}`;

const CLIENT_SCRIPT =
  `
(function () {
  var specs = JSON.parse(document.getElementById('c1m-charts').textContent);
  var palette = ['#2f6fdf', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#e67700', '#5c940d', ` +
  `'#a61e4d', '#495057', '#1864ab', '#d9480f'];
  specs.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    new Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          var color = palette[i % palette.length];
          return { label: d.label, data: d.data, backgroundColor: color, borderColor: color, spanGaps: true, ` +
  `tension: 0 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: spec.title } },
        scales: {
          x: { title: { display: true, text: spec.xTitle } },
          y: { type: spec.yLog ? 'logarithmic' : 'linear', beginAtZero: !spec.yLog, min: spec.yMin, title: { ` +
  `display: true, text: spec.yTitle } }
        }
      }
    });
  });
  document.body.setAttribute('data-charts-drawn', String(specs.length));
})();`;

/** The autocannon comparison of http case 2 (see http-reference.ts), or nothing. */
function referenceHtml(cases: LoadedRun['cases']): string {
  const rows = referenceRows(cases);
  if (rows.length === 0) return '';
  const n = (v: number | undefined) => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.label)}</td><td>${n(r.driverRequestsPerSecond)}</td>` +
        `<td>${n(r.referenceRequestsPerSecond)}</td>` +
        `<td>${escapeHtml(formatRatio(r.requestsRatio) || '—')}</td><td>${n(r.driverP99Us)}</td>` +
        `<td>${n(r.referenceP99Us)}</td>` +
        `<td>${escapeHtml(formatRatio(r.p99Ratio) || '—')}</td>` +
        `<td>${escapeHtml(formatRatio(r.metalRatio) || '—')}</td>` +
        `<td class="notes">${escapeHtml(r.error ?? '')}</td></tr>`,
    )
    .join('');
  return (
    `<p>The same server driven by autocannon (npm) right after c1m, same connections and ` +
    `duration; the metal column divides c1m's requests/s by its requests/s against the C baseline ` +
    `server's --http mode.</p><table><thead><tr><th>server</th><th>c1m req/s</th><th>autocannon req/s</th>` +
    `<th>c1m / autocannon</th><th>c1m p99 µs</th><th>autocannon p99 µs</th><th>p99 ratio</th>` +
    `<th>c1m req/s / the metal</th><th>notes</th></tr></thead><tbody>${body}</tbody></table>`
  );
}

function tablesHtml(run: LoadedRun): string {
  const parts: string[] = [];
  for (const { scenario, rows, commonCaps } of summaryTables(run.cases).scenarios) {
    parts.push(`<h2>${escapeHtml(SCENARIO_TITLES[scenario])}</h2>`);
    if (commonCaps.length > 0) parts.push(`<p>Every row: ${escapeHtml(commonCaps.join('; '))}.</p>`);
    parts.push('<table><thead><tr><th>server / transport</th>');
    for (const m of METRICS) parts.push(`<th>${escapeHtml(m.label)}</th>`);
    parts.push('<th>notes</th></tr></thead><tbody>');
    for (const r of rows) {
      parts.push(
        `<tr${r.isBaseline ? ' class="baseline"' : ''}><td>${escapeHtml(rowLabel(r))}${
          r.isBaseline ? ' (baseline)' : ''
        }</td>`,
      );
      for (const m of METRICS) {
        const ratio = formatRatio(r.ratios[m.name]);
        parts.push(
          `<td>${escapeHtml(formatMetric(m.name, r.metrics[m.name]))}${
            ratio ? ` <span class="ratio">${escapeHtml(ratio)}</span>` : ''
          }</td>`,
        );
      }
      const notes = [
        r.repetitions > 1 ? `median of ${r.passed}/${r.repetitions}` : '',
        r.failed > 0 ? `FAILED ${r.failed}: ${r.failures.slice(0, 2).join('; ')}` : '',
        r.stealFlagged > 0 ? `steal-flagged ${r.stealFlagged}` : '',
        ...r.caps,
      ].filter(Boolean);
      parts.push(`<td class="notes${r.failed > 0 ? ' failed' : ''}">${escapeHtml(notes.join('; '))}</td></tr>`);
    }
    parts.push('</tbody></table>');
    if (scenario === REFERENCE_SCENARIO) parts.push(referenceHtml(run.cases));
  }
  return parts.join('\n');
}

function chartsHtml(charts: ChartSpec[]): string {
  if (charts.length === 0) return '<p>No chartable results in this run.</p>';
  return `<div class="charts">${charts
    .map(
      (c) =>
        `<div class="chart"><canvas id="chart-${escapeHtml(c.id)}" aria-label="${escapeHtml(c.title)}"></canvas></div>`,
    )
    .join('\n')}</div>`;
}

/** The whole report page. */
export function renderReportHtml(run: LoadedRun): string {
  const charts = reportCharts(run);
  const { env } = run;
  const failed = run.cases.filter((c) => c.status === 'failed');
  const meta = [
    `profile ${run.run.profile}, ${run.run.repeat} round(s), ${run.cases.length} case results` +
      (run.run.wallSeconds !== undefined ? `, wall time ${formatDuration(run.run.wallSeconds)}` : '') +
      (run.run.interrupted ? ' — interrupted' : ''),
    env
      ? `${env.cpuModel}, ${env.cores} cores, ${(env.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${env.kernel}, ` +
        `Node ${env.node}, commit ${env.gitCommit.slice(0, 12)}`
      : '',
    `${run.cases.length - failed.length} passed, ${failed.length} ` +
      `failed, ${run.cases.filter((c) => c.steal.flagged).length} flagged for CPU steal`,
    ...run.run.notes,
  ].filter(Boolean);
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src ` +
    `'unsafe-inline'; img-src data:">
<title>c1m bench:all — ${escapeHtml(run.run.runId)}</title>
<style>${STYLE}</style></head>
<body>
<h1>c1m bench:all — run ${escapeHtml(run.run.runId)}</h1>
<ul class="meta">${meta.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>
<p>Figures in grey are ratios to the C baseline server in the same scenario, measured closest in time by the ` +
    `same driver.</p>
${chartsHtml(charts)}
${tablesHtml(run)}
${
  failed.length > 0
    ? `<h2>Failed cases</h2><ul>${failed
        .map(
          (c) => `<li class="failed"><code>${escapeHtml(c.case.id)}</code>: ${escapeHtml(c.failures.join('; '))}</li>`,
        )
        .join('')}</ul>`
    : ''
}
<script type="application/json" id="c1m-charts">${jsonForScript(charts)}</script>
<script>${chartJsSource()}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`
  );
}
