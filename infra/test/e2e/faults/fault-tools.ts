// Shared pieces of the fault tests: where the built servers and driver are, polling for an
// event instead of sleeping, and recording each case's figures for `pnpm test:faults`, which
// gathers them into results/<run-id>/ (faults.json, faults.md).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../src/lib/paths.ts';

/** The directory of a server package. */
export function serverDir(name: string): string {
  return join(repoRoot, 'servers', name);
}

/** Set by `pnpm test:faults`: the file each case appends its figures to (one JSON line per case). */
export const FIGURES_FILE_ENV = 'C1M_FAULT_FIGURES_FILE';

/** One fault case's outcome in numbers, with units in the names. */
export interface FaultFigures {
  case: string;
  /** The server (or tool) the fault was injected into. */
  subject: string;
  /** What the product did, in one line. */
  outcome: string;
  figures: Record<string, number | string | boolean>;
}

/** Appends the figures of a case to the run's figures file, when `pnpm test:faults` asked for them. */
export function recordFigures(entry: FaultFigures): void {
  const file = process.env[FIGURES_FILE_ENV];
  if (file) appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** Polls `probe` every 20 ms until it is true; fails naming `what` after `timeoutMs`. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connections the driver lost, by cause (every error that is not about a reply's content). */
export function lostConnections(errorsByCause: Record<string, number>): number {
  return Object.entries(errorsByCause)
    .filter(([cause]) => !cause.startsWith('C1M_REPLY_'))
    .reduce((a, [, n]) => a + n, 0);
}
