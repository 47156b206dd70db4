// Typed flag tables for the infra CLIs: one table per command drives parsing, validation and
// --help, so a flag cannot exist without being documented. Usage errors exit 2 and name the
// valid choices; everything else goes through the one top-level catch in runCli.
import { parseArgs } from 'node:util';

/** One flag of a command. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder shown in --help for a string flag (e.g. N, LIST). */
  valueName?: string;
  /** The only accepted values of a string flag. */
  choices?: readonly string[];
}

export type FlagTable = Record<string, FlagSpec>;

/** Parsed values: booleans for boolean flags, strings (or undefined) for string flags. */
export type FlagValues<T extends FlagTable> = {
  [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string | undefined;
};

/** A mistake in the command line: printed with the usage and exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** Parses argv against a flag table; throws UsageError naming the valid flags or choices. */
export function parseFlags<T extends FlagTable>(
  argv: string[],
  table: T,
): { values: FlagValues<T>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(table)) options[name] = { type: spec.type };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const valid = Object.keys(table).map((n) => `--${n}`).join(', ');
    throw new UsageError(`${(err as Error).message}. Valid flags: ${valid}`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const v = parsed.values[name];
    if (spec.type === 'boolean') {
      values[name] = v === true;
      continue;
    }
    if (typeof v === 'string' && spec.choices && !spec.choices.includes(v)) {
      throw new UsageError(`--${name} ${v}: valid choices are ${spec.choices.join(', ')}`);
    }
    values[name] = v;
  }
  return { values: values as FlagValues<T>, positionals: parsed.positionals };
}

/** A positive integer flag value; accepts 10000, 10k, 1m, 1_000_000. */
export function parseCount(flag: string, text: string): number {
  const m = /^(\d[\d_]*)([km]?)$/i.exec(text.trim());
  const n = m ? Number(m[1]!.replaceAll('_', '')) * ({ '': 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--${flag} ${text}: expected a positive integer such as 100, 10k or 1m`);
  }
  return n;
}

/** A comma-separated list whose items must come from `valid`. */
export function parseList(flag: string, text: string, valid: readonly string[]): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !valid.includes(i));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${flag} ${text}: valid choices are ${valid.join(', ')}`);
  }
  return items;
}

/** --help text generated from the table. */
export function helpText(usage: string, table: FlagTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = `  --${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const choices = spec.choices ? ` (${spec.choices.join('|')})` : '';
    return `${left.padEnd(30)} ${spec.description}${choices}`;
  });
  return `usage: ${usage}\n\n${rows.join('\n')}\n`;
}

/**
 * The one top-level catch of an infra CLI: runs main, maps its result to the exit code,
 * prints usage errors with exit 2 and anything unexpected with its stack and exit 1.
 */
export function runCli(main: () => Promise<number | void>): void {
  main()
    .then((code) => {
      if (typeof code === 'number') process.exitCode = code;
    })
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}
