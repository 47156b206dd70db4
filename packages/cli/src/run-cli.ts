// The one top-level catch of every c1m entry point (servers' main.ts, the load generator's CLI,
// infra's scripts), as zx's CLI does it: main's result becomes process.exitCode, and whatever it
// throws is printed once with a stable code; library code never calls process.exit for errors.
import { UsageError } from './flag-table.ts';

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;
/** Exit code of any other failure. */
export const EXIT_FAILURE = 1;
/** The code printed for a thrown value that carries none of its own (a bug, not a known failure). */
export const INTERNAL_ERROR_CODE = 'C1M_INTERNAL';

/** The stable code of a thrown value: its own `code` (C1M_… or an errno such as EADDRINUSE), else C1M_INTERNAL. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : INTERNAL_ERROR_CODE;
}

/**
 * The line(s) a CLI prints for a thrown value: `name: CODE: message`, the stack too when the
 * error has no code of its own (that is where a bug is found).
 */
export function formatCliError(name: string, err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  // C1mError's message already starts with its code.
  const text = message.startsWith(`${code}: `) ? message : `${code}: ${message}`;
  const stack = code === INTERNAL_ERROR_CODE && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `${name}: ${text}${stack}`;
}

/**
 * Runs an entry point's main: a number it returns is the exit code; a UsageError exits 2, any
 * other throw exits 1, each printed to stderr with its code.
 */
export function runCli(name: string, main: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(main)
    .then((code) => {
      if (typeof code === 'number') process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`${formatCliError(name, err)}\n`);
      process.exitCode = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
    });
}
