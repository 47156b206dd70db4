// results/<run-id>/summary.md: one table per scenario, one row per server/transport(/style),
// every figure beside its ratio to the C baseline measured closest in time.
import type { LoadedRun } from '../model/load-run.ts';
import { METRICS } from '../model/metrics.ts';
import { formatDuration, formatMetric, formatRatio, SCENARIO_TITLES } from './format.ts';
import { REFERENCE_SCENARIO } from '../model/http-scenarios.ts';
import { referenceMarkdown } from './http-reference.ts';
import { type SummaryRow, summaryTables } from './rows.ts';

/** Markdown cell text: pipes and newlines would break the table. */
export function mdCell(text: string): string {
  return text
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replace(/[\r\n]+/g, ' ');
}

function rowLabel(r: SummaryRow): string {
  return [r.server, r.transport, r.style].filter(Boolean).join(' / ');
}

function notesOf(r: SummaryRow): string {
  const notes: string[] = [];
  if (r.repetitions > 1) notes.push(`median of ${r.passed}/${r.repetitions}`);
  if (r.failed > 0) notes.push(`FAILED ${r.failed}: ${r.failures.slice(0, 2).join('; ')}`);
  if (r.stealFlagged > 0) notes.push(`steal-flagged ${r.stealFlagged}`);
  notes.push(...r.caps);
  return notes.join('; ');
}

/** The whole summary.md. */
export function renderSummaryMarkdown(loaded: LoadedRun): string {
  const { run, env, cases } = loaded;
  const out: string[] = [`# c1m bench:all — run ${mdCell(run.runId)}`, ''];
  out.push(
    `- profile: **${mdCell(run.profile)}**, ${run.repeat} round(s), ${cases.length} case results` +
      (run.wallSeconds !== undefined ? `, wall time ${formatDuration(run.wallSeconds)}` : '') +
      (run.interrupted ? ' — **interrupted**' : ''),
  );
  if (env) {
    out.push(
      `- machine: ${mdCell(env.cpuModel)}, ${env.cores} cores, ${(env.memoryBytes / 2 ** 30).toFixed(1)} GiB, ` +
        `${mdCell(env.kernel)}, Node ${mdCell(env.node)}, ` +
        `RLIMIT_NOFILE ${env.rlimitNofile.soft}/${env.rlimitNofile.hard}, commit ${mdCell(env.gitCommit.slice(0, 12))}`,
    );
  }
  const failed = cases.filter((c) => c.status === 'failed');
  const stolen = cases.filter((c) => c.steal.flagged);
  out.push(
    `- ${cases.length - failed.length} passed, ${failed.length} failed, ${stolen.length} flagged for CPU steal ` +
      `(mean steal ≥ ${cases[0]?.steal.thresholdPercent ?? 10}% of the machine's CPU during the case: its ` +
      `figures are not comparable)`,
  );
  for (const note of run.notes) out.push(`- ${mdCell(note)}`);
  out.push(
    '',
    "Ratios (×) divide a row's figure by the C baseline server's in the same scenario, loaded by the same driver " +
      'and measured closest in time (before and after the row, averaged). Server CPU-s / M msgs is the CPU time ' +
      'of the ' +
      "server's whole process tree during the load per million messages answered; server B / conn is its " +
      'resident-memory ' +
      'growth over the load divided by the connections held.',
    '',
  );

  for (const { scenario, rows, commonCaps } of summaryTables(cases).scenarios) {
    out.push(`## ${SCENARIO_TITLES[scenario]}`, '');
    if (commonCaps.length > 0) out.push(`Every row: ${mdCell(commonCaps.join('; '))}.`, '');
    out.push(`| server / transport | ${METRICS.map((m) => m.label).join(' | ')} | notes |`);
    out.push(`|---|${METRICS.map(() => '---:').join('|')}|---|`);
    for (const r of rows) {
      const cells = METRICS.map((m) => {
        const v = formatMetric(m.name, r.metrics[m.name]);
        const ratio = formatRatio(r.ratios[m.name]);
        return ratio ? `${v} (${ratio})` : v;
      });
      out.push(
        `| ${mdCell(rowLabel(r))}${r.isBaseline ? ' (baseline)' : ''} | ${cells.join(' | ')} | ${mdCell(notesOf(r))} |`,
      );
    }
    if (scenario === REFERENCE_SCENARIO) out.push('', ...referenceMarkdown(cases));
    if (scenario === 'short') {
      out.push('', '| server / transport | seconds per loop |', '|---|---|');
      for (const r of rows) {
        out.push(
          `| ${mdCell(rowLabel(r))} | ${(r.shortLoopSeconds ?? []).map((s) => s.toFixed(3)).join(', ') || '—'} |`,
        );
      }
    }
    out.push('');
  }
  if (failed.length > 0) {
    out.push('## Failed cases', '');
    for (const c of failed)
      out.push(`- \`${mdCell(c.case.id)}\`: ${mdCell(c.failures.join('; ') || 'no reason recorded')}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
