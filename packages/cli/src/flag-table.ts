// A typed flag table: one row per flag, checked against the options type, from which parsing,
// validation and --help are all derived, so a new option cannot be forgotten in the help text.
import { parseArgs } from 'node:util';
import { parseBytes, parseDurationMs } from './units.ts';

/** How a flag's text becomes a value. */
export type FlagKind = 'string' | 'int' | 'bytes' | 'duration' | 'choice' | 'boolean';

/** One row of a flag table, for option key K of options type O. */
export interface FlagRow<O, K extends keyof O = keyof O> {
  key: K;
  /** Long flag name without dashes. */
  flag: string;
  kind: FlagKind;
  help: string;
  default: O[K];
  choices?: readonly string[];
  /** Smallest accepted value for int/bytes/duration. */
  min?: number;
  max?: number;
}

/** The whole table: every key of O must appear once. */
export type FlagTable<O> = { [K in keyof O]: FlagRow<O, K> }[keyof O][];

/** Thrown for a bad command line; a CLI prints the message and exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  /** A stable code for the kind of mistake (C1M_BAD_FLAG, C1M_BAD_FLAG_VALUE, …), for scripts and tests. */
  readonly code: string;
  constructor(message: string, code = 'C1M_BAD_USAGE') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

/** Result of parsing: options, positionals, and whether --help was asked for. */
export interface Parsed<O> {
  options: O;
  positionals: string[];
  help: boolean;
}

/** Parses argv against the table; throws UsageError naming what is wrong and the valid choices. */
export function parseFlags<O>(table: FlagTable<O>, argv: readonly string[], allowPositionals = false): Parsed<O> {
  const config: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const row of table) config[row.flag] = { type: row.kind === 'boolean' ? 'boolean' : 'string' };
  let raw: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  // `pnpm start -- --port 9000` hands the script a literal leading "--": drop it.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    raw = parseArgs({ args, options: config, strict: true, allowPositionals }) as typeof raw;
  } catch (err) {
    const valid = table.map((r) => `--${r.flag}`).join(', ');
    throw new UsageError(`${(err as Error).message.split('\n')[0]}\nValid flags: ${valid}, --help`, 'C1M_BAD_FLAG');
  }
  const options = {} as O;
  for (const row of table) {
    const text = raw.values[row.flag];
    (options as Record<keyof O, unknown>)[row.key] = text === undefined ? row.default : convert(row, text);
  }
  return { options, positionals: raw.positionals, help: raw.values.help === true };
}

function convert<O>(row: FlagRow<O>, text: string | boolean): unknown {
  if (row.kind === 'boolean') return text === true;
  const value = String(text);
  const bad = (what: string) => new UsageError(`--${row.flag} ${JSON.stringify(value)}: ${what}`, 'C1M_BAD_FLAG_VALUE');
  switch (row.kind) {
    case 'string':
      return value;
    case 'choice':
      if (!row.choices?.includes(value)) throw bad(`must be one of: ${row.choices?.join(', ')}`);
      return value;
    case 'int':
    case 'bytes':
    case 'duration': {
      const n =
        row.kind === 'int' ? (/^-?\d+$/.test(value) ? Number(value) : undefined)
        : row.kind === 'bytes' ? parseBytes(value)
        : parseDurationMs(value);
      const form = row.kind === 'int' ? 'an integer' : row.kind === 'bytes' ? 'a size such as 4096, 64KiB, 1MiB' : 'a duration such as 500ms, 10s, 2m';
      if (n === undefined || !Number.isFinite(n)) throw bad(`must be ${form}`);
      if (row.min !== undefined && n < row.min) throw bad(`must be at least ${row.min}`);
      if (row.max !== undefined && n > row.max) throw bad(`must be at most ${row.max}`);
      return n;
    }
  }
}

/** Generates the help text from the table. */
export function formatHelp<O>(usage: string, description: string, table: FlagTable<O>): string {
  const lines = [usage, '', description, '', 'Options:'];
  const left = table.map((r) => `  --${r.flag}${r.kind === 'boolean' ? '' : ` <${r.choices ? r.choices.join('|') : r.kind}>`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  table.forEach((r, i) => {
    const def = r.kind === 'boolean' ? '' : ` (default: ${formatDefault(r)})`;
    lines.push(`${left[i]!.padEnd(width)}${r.help}${def}`);
  });
  lines.push(`${'  --help'.padEnd(width)}Show this help`);
  return lines.join('\n');
}

function formatDefault<O>(row: FlagRow<O>): string {
  const v = row.default as unknown;
  if (row.kind === 'duration' && typeof v === 'number') return v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`;
  return String(v);
}
