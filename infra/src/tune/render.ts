// Text output of `pnpm tune`: the current / needed / verdict table and the commands to run.
import type { TuneAssessment, TuneRow } from './assess.ts';

function table(rows: TuneRow[]): string {
  const head = ['setting', 'current', 'needed', 'verdict'];
  const cells = rows.map((r) => [r.name, r.current, r.needed, r.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The dry-run report for one assessment. */
export function renderAssessment(a: TuneAssessment): string {
  const out = [
    `pnpm tune: what ${a.connections.toLocaleString('en-US')} loopback connections need on this machine`,
    '',
    table(a.rows),
    '',
  ];
  const notes = a.rows.filter((r) => r.note && (r.verdict === 'raise' || r.verdict === 'cannot'));
  if (notes.length > 0) {
    out.push('Notes:');
    for (const r of notes) out.push(`  ${r.name}: ${r.note}`);
    out.push('');
  }
  const raise = a.rows.filter((r) => r.verdict === 'raise');
  if (raise.length > 0) {
    out.push('Commands (`pnpm tune --apply` runs these and saves the old values; `pnpm tune --restore` undoes them):');
    for (const r of raise) for (const c of r.commands) out.push(`  ${c}`);
    out.push('');
  }
  const cannot = a.rows.filter((r) => r.verdict === 'cannot' && r.commands.length > 0);
  if (cannot.length > 0) {
    out.push('Not changeable from here (do it where the shell/session/container is created):');
    for (const r of cannot) for (const c of r.commands) out.push(`  ${c}`);
    out.push('');
  }
  out.push(
    `Per process: ≤ ${a.connectionsPerProcess.toLocaleString('en-US')} connections under the current hard limit, ` +
      `so each side needs ${a.processesPerSide} process(es); the load generator needs ${a.sourceAddresses.current} ` +
      `source address(es) per server ip:port with the current port range.`,
  );
  out.push('tcp_tw_recycle is not a fix: it was removed in Linux 4.12 and broke clients behind NAT.');
  return `${out.join('\n')}\n`;
}
