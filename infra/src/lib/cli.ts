// The list-flag check the shared flag table (@c1m/cli) has no kind for. Usage errors exit 2
// (through @c1m/cli's runCli) and name the valid choices.
import { UsageError } from '@c1m/cli';

/** A comma-separated list whose items must come from `valid`. */
export function parseList(flag: string, text: string, valid: readonly string[]): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((i) => !valid.includes(i));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${flag} ${text}: valid choices are ${valid.join(', ')}`);
  }
  return items;
}
