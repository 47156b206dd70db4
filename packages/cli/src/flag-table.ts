// A typed flag table: one row per option, keyed by the option and checked against its type, from
// which parsing, validation and --help are all derived, so a new option cannot be forgotten.
import { parseArgs } from 'node:util';
import { parseBytes, parseDurationMs } from './units.ts';

/** How a flag's text becomes a value. */
export type FlagKind = 'string' | 'int' | 'bytes' | 'duration' | 'choice' | 'boolean';

/** The kinds that can produce a value of type V: numbers from int/bytes/duration, and so on. */
export type KindFor<V> = [NonNullable<V>] extends [boolean]
  ? 'boolean'
  : [NonNullable<V>] extends [number]
    ? 'int' | 'bytes' | 'duration'
    : 'string' | 'choice';

/** One row of a flag table: how the option of type V is spelled, parsed, bounded and explained. */
export interface FlagRow<V> {
  /** Long flag name without dashes (what users type; the option's name may differ, e.g. carry a unit). */
  flag: string;
  kind: KindFor<V>;
  help: string;
  default: V;
  choices?: readonly string[];
  /** Smallest accepted value for int/bytes/duration. */
  min?: number;
  max?: number;
}

/**
 * The whole table, keyed by option: every key of O must have a row (a forgotten option is a type
 * error, and so is a row whose kind cannot produce its option's type). Rows appear in --help in
 * the order they are written.
 */
export type FlagTable<O> = { [K in keyof O]-?: FlagRow<O[K]> };

/** A row seen without its option's type (inside the parser). */
type AnyRow = Omit<FlagRow<unknown>, 'kind'> & { kind: FlagKind };

/** The rows of a table with their option keys, in table order. */
function rows<O>(table: FlagTable<O>): Array<[keyof O & string, AnyRow]> {
  return Object.entries(table) as Array<[keyof O & string, AnyRow]>;
}

/** Thrown for a bad command line; runCli prints it with its code and exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  /** A stable code for the kind of mistake (C1M_BAD_FLAG, C1M_BAD_FLAG_VALUE, …), for scripts and tests. */
  readonly code: string;
  constructor(message: string, code = 'C1M_USAGE') {
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
  for (const [, row] of rows(table)) config[row.flag] = { type: row.kind === 'boolean' ? 'boolean' : 'string' };
  let raw: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  // `pnpm start -- --port 9000` hands the script a literal leading "--": drop it.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  try {
    raw = parseArgs({ args, options: config, strict: true, allowPositionals }) as typeof raw;
  } catch (err) {
    const valid = rows(table)
      .map(([, r]) => `--${r.flag}`)
      .join(', ');
    throw new UsageError(`${(err as Error).message.split('\n')[0]}\nValid flags: ${valid}, --help`, 'C1M_BAD_FLAG');
  }
  const options = {} as O;
  for (const [key, row] of rows(table)) {
    const text = raw.values[row.flag];
    (options as Record<keyof O, unknown>)[key] = text === undefined ? row.default : convert(row, text);
  }
  return { options, positionals: raw.positionals, help: raw.values.help === true };
}

function convert(row: AnyRow, text: string | boolean): unknown {
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
        row.kind === 'int'
          ? /^-?\d+$/.test(value)
            ? Number(value)
            : undefined
          : row.kind === 'bytes'
            ? parseBytes(value)
            : parseDurationMs(value);
      const form =
        row.kind === 'int'
          ? 'an integer'
          : row.kind === 'bytes'
            ? 'a size such as 4096, 64KiB, 1MiB'
            : 'a duration such as 500ms, 10s, 2m';
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
  const list = rows(table).map(([, r]) => r);
  const left = list.map(
    (r) => `  --${r.flag}${r.kind === 'boolean' ? '' : ` <${r.choices ? r.choices.join('|') : r.kind}>`}`,
  );
  const width = Math.max(...left.map((l) => l.length)) + 2;
  list.forEach((r, i) => {
    const def = r.kind === 'boolean' ? '' : ` (default: ${formatDefault(r)})`;
    lines.push(`${left[i]!.padEnd(width)}${r.help}${def}`);
  });
  lines.push(`${'  --help'.padEnd(width)}Show this help`);
  return lines.join('\n');
}

function formatDefault(row: AnyRow): string {
  const v = row.default as unknown;
  if (row.kind === 'duration' && typeof v === 'number') return v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`;
  return String(v);
}
