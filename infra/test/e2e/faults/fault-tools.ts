// Shared pieces of the fault tests: where the built servers are, polling for an event instead of
// sleeping, counting lost connections, and recording each case's figures for `pnpm test:faults`.
import { join } from 'node:path';
import { repoRoot } from '../../../src/lib/paths.ts';

/** The directory of a server package. */
export function serverDir(name: string): string {
  return join(repoRoot, 'servers', name);
}

export { recordFigures, type FaultFigures } from '@c1m/server-contract/conformance';

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
