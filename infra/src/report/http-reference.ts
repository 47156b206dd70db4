// The autocannon comparison of http case 2, for the summary and the report: per server, c1m's
// requests/s and p99 beside autocannon's against the same server in the same case, as ratios,
// and c1m's requests/s as a ratio to the metal's (the C baseline's --http mode, same driver).
import { BASELINE_SERVER, type CaseResult } from '../model/case-result.ts';
import { REFERENCE_SCENARIO } from '../model/http-scenarios.ts';
import { formatRatio } from './format.ts';
import { bracketingBaseline } from './rows.ts';

/** One line of the comparison. */
export interface ReferenceRow {
  label: string;
  driverRequestsPerSecond?: number;
  referenceRequestsPerSecond: number;
  requestsRatio?: number;
  driverP99Us?: number;
  referenceP99Us: number;
  p99Ratio?: number;
  /** c1m's requests/s against this server divided by c1m's against the C baseline (closest in time). */
  metalRatio?: number;
  error?: string;
}

/** The comparison rows of a run (one per case of the reference scenario that ran autocannon). */
export function referenceRows(cases: CaseResult[]): ReferenceRow[] {
  return cases
    .filter((c) => c.case.scenario === REFERENCE_SCENARIO && c.reference)
    .map((c) => {
      const ref = c.reference!;
      const metal = c.case.server === BASELINE_SERVER ? undefined : bracketingBaseline(c, cases)?.messagesPerSecond;
      const rate = c.driver?.messagesPerSecond;
      return {
        label: [
          c.case.server,
          c.case.transport,
          c.case.style,
          c.case.repetition > 1 ? `round ${c.case.repetition}` : '',
        ]
          .filter(Boolean)
          .join(' / '),
        driverRequestsPerSecond: c.driver?.messagesPerSecond,
        referenceRequestsPerSecond: ref.requestsPerSecond,
        requestsRatio: ref.driverToReferenceRequestsRatio,
        driverP99Us: c.driver?.latencyUs.p99Us,
        referenceP99Us: ref.latencyP99Us,
        p99Ratio: ref.driverToReferenceP99Ratio,
        metalRatio: rate !== undefined && metal ? rate / metal : undefined,
        error:
          ref.error ??
          (ref.non2xx + ref.errors + ref.timeouts > 0
            ? `autocannon counted ${ref.non2xx} non-2xx, ${ref.errors} errors, ${ref.timeouts} timeouts`
            : undefined),
      };
    });
}

const n = (v: number | undefined) => (v === undefined ? '—' : Math.round(v).toLocaleString('en-US'));

/** Markdown lines (empty when no case ran autocannon). */
export function referenceMarkdown(cases: CaseResult[]): string[] {
  const rows = referenceRows(cases);
  if (rows.length === 0) return [];
  const out = [
    'The same server driven by autocannon (npm) right after c1m, with the same connections and duration: c1m / ' +
      "autocannon ≥ 0.8× requests/s says c1m's HTTP client is not the bottleneck. The metal column divides " +
      "c1m's requests/s by its requests/s against the C baseline server's --http mode.",
    '',
    '| server | c1m req/s | autocannon req/s | c1m / autocannon | c1m p99 µs | autocannon p99 µs | p99 ratio ' +
      '| c1m req/s / the metal | notes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.label} | ${n(r.driverRequestsPerSecond)} | ${n(r.referenceRequestsPerSecond)} ` +
        `| ${formatRatio(r.requestsRatio) || '—'} | ${n(r.driverP99Us)} | ${n(r.referenceP99Us)} ` +
        `| ${formatRatio(r.p99Ratio) || '—'} | ${formatRatio(r.metalRatio) || '—'} ` +
        `| ${(r.error ?? '').replaceAll('|', '\\|')} |`,
    );
  }
  out.push('');
  return out;
}
