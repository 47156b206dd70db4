// `pnpm tune --apply` / `--restore`: write the sysctls that need raising, keeping the values they
// had before in a git-ignored file, and put those back later. The first saved value of a sysctl
// is kept across several --apply runs, so --restore always returns to the machine as it was.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readSysctlValue, sysctlPath } from '../sys/proc.ts';
import type { TuneRow } from './assess.ts';

/** What happened to one sysctl. */
export interface WriteOutcome {
  name: string;
  from?: string;
  to: string;
  ok: boolean;
  error?: string;
}

interface SavedFile {
  savedAt: string;
  values: Record<string, string>;
}

function writeSysctl(name: string, value: string, root?: string): WriteOutcome {
  const from = readSysctlValue(name, root);
  try {
    writeFileSync(sysctlPath(name, root), value);
    return { name, from, to: value, ok: true };
  } catch (err) {
    return { name, from, to: value, ok: false, error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

function loadSaved(file: string): SavedFile | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SavedFile) : undefined;
}

/**
 * Writes every `raise` row's value; records the previous values in `savedFile`.
 * `root` is the sysctl tree (default /proc/sys).
 */
export function applyRows(rows: TuneRow[], savedFile: string, root?: string): WriteOutcome[] {
  const saved = loadSaved(savedFile) ?? { savedAt: new Date().toISOString(), values: {} };
  const outcomes: WriteOutcome[] = [];
  for (const row of rows) {
    if (row.verdict !== 'raise' || row.applyValue === undefined) continue;
    const outcome = writeSysctl(row.name, row.applyValue, root);
    if (outcome.ok && outcome.from !== undefined && !(row.name in saved.values)) saved.values[row.name] = outcome.from;
    outcomes.push(outcome);
  }
  if (Object.keys(saved.values).length > 0) writeFileSync(savedFile, `${JSON.stringify(saved, null, 2)}\n`);
  return outcomes;
}

/** Writes the saved values back and removes the file (kept when a write failed). */
export function restoreSaved(savedFile: string, root?: string): WriteOutcome[] | undefined {
  const saved = loadSaved(savedFile);
  if (!saved) return undefined;
  const outcomes = Object.entries(saved.values).map(([name, value]) => writeSysctl(name, value, root));
  if (outcomes.every((o) => o.ok)) rmSync(savedFile);
  return outcomes;
}

/** One line per outcome. */
export function renderOutcomes(outcomes: WriteOutcome[]): string {
  return outcomes
    .map((o) =>
      o.ok ? `  ${o.name}: ${o.from ?? '?'} -> ${o.to}` : `  ${o.name}: could not write ${o.to} (${o.error})`,
    )
    .join('\n');
}
