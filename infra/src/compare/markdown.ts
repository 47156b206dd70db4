// compare's markdown: one table of every compared metric, notable rows in bold, and the notes.
import { mdCell } from '../report/summary-md.ts';
import { formatMetric, formatPercent } from '../report/format.ts';
import { METRICS } from '../model/metrics.ts';
import type { Comparison } from './compare-runs.ts';
import { NOISE_FLOOR } from './noise.ts';

const label = (name: string) => METRICS.find((m) => m.name === name)?.label ?? name;

export function renderComparison(c: Comparison): string {
  const out = [`# compare: B (${mdCell(c.b.join(', '))}) against A (${mdCell(c.a.join(', '))})`, ''];
  if (c.envDifferences.length > 0)
    out.push(`**Environments differ (compared with --force):** ${mdCell(c.envDifferences.join('; '))}`, '');
  out.push('| case | metric | A | B | change | rounds | noise | verdict |', '|---|---|---:|---:|---:|---:|---:|---|');
  for (const r of c.rows) {
    const j = r.judgement;
    const change = formatPercent(r.change);
    const verdict = r.verdict === 'within noise' ? r.verdict : `**${r.verdict}**`;
    out.push(
      `| ${mdCell(r.key)} | ${label(r.metric)} | ${formatMetric(r.metric, r.a)} | ${formatMetric(r.metric, r.b)} | ` +
        `${r.verdict === 'within noise' ? change : `**${change}**`} ` +
        `| ${j.rounds === 1 ? '1' : `${j.rounds}: ${j.minRatio.toFixed(2)}–${j.maxRatio.toFixed(2)}`} | ` +
        `${
          j.noise === undefined
            ? 'unmeasured'
            : `±${(j.noise * 100).toFixed(1)}%${j.noiseSource === 'baseline' ? ' (baseline)' : ''}`
        } | ` +
        `${verdict} |`,
    );
  }
  out.push('');
  for (const e of c.errorIncreases) out.push(`- **errors went up** in ${mdCell(e.key)}: ${e.a} → ${e.b}`);
  if (c.onlyInA.length > 0) out.push(`- only in A: ${mdCell(c.onlyInA.join(', '))}`);
  if (c.onlyInB.length > 0) out.push(`- only in B: ${mdCell(c.onlyInB.join(', '))}`);
  for (const n of c.notes) out.push(`- ${mdCell(n)}`);
  out.push(
    '',
    `A change is marked only when the median of the per-round B/A ratios moved further than the noise — the ` +
      `largest ` +
      `difference between repetitions of the same code on either side — and at least ${NOISE_FLOOR * 100}%, and ` +
      `every round ` +
      `moved the same way. ${c.regressions} regression(s).`,
  );
  return `${out.join('\n')}\n`;
}
