// The figures each fault case reports, as `pnpm test:faults` collects them: the fault tests (and
// the conformance suite's slow reader)
// append one JSON line per case to the file named by C1M_FAULT_FIGURES_FILE, the runner
// gathers them into results/<run-id>/faults.json and summary.md.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** Names the file fault tests append their figures to (set by `pnpm test:faults`). */
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

/** Every case's figures from a figures file, in the order recorded. */
export function readFigures(file: string): FaultFigures[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FaultFigures);
}
