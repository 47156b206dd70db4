// The one top-level catch of every infra CLI, and the list-flag check the shared flag table
// (@c1m/cli) has no kind for. Usage errors exit 2 and name the valid choices.
import { UsageError } from '@c1m/cli';

/** A comma-separated list whose items must come from `valid`. */
export function parseList(flag: string, text: string, valid: readonly string[]): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((i) => !valid.includes(i));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${flag} ${text}: valid choices are ${valid.join(', ')}`);
  }
  return items;
}

/**
 * Runs main, maps its result to the exit code, prints usage errors with exit 2 and anything
 * unexpected with its stack and exit 1.
 */
export function runCli(main: () => Promise<number | void>): void {
  main()
    .then((code) => {
      if (typeof code === 'number') process.exitCode = code;
    })
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`error: ${err.code}: ${err.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 1;
      }
    });
}
