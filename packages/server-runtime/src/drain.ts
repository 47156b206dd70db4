// What every listener's drain shares (node:net, uWS, the ws library): after it stops accepting it
// keeps reading for a quiet period, so frames a client sent before the signal are still answered,
// then ends each connection once it owes no reply, and resets what is left at the deadline.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** How long a drain keeps reading before ending connections, so bytes already sent are answered. */
export const DRAIN_QUIET_MS = 100;

/** How often a drain looks again for connections that have settled. */
export const DRAIN_POLL_MS = 20;

/**
 * Ends each connection of `live` once `owes(c)` is false, polling until none is left or
 * `deadline` (epoch ms) passes. Ended connections leave `live` through their close handlers.
 * Returns how many it ended (a caller may linger after ending any, so peers read what they were sent).
 */
export async function endWhenSettled<C>(
  live: { readonly size: number; keys(): Iterable<C> },
  owes: (c: C) => boolean,
  end: (c: C) => void,
  deadline: number,
): Promise<number> {
  const ending = new Set<C>();
  while (live.size > 0 && Date.now() < deadline) {
    for (const c of live.keys()) {
      if (ending.has(c) || owes(c)) continue;
      ending.add(c);
      end(c);
    }
    await sleep(DRAIN_POLL_MS);
  }
  return ending.size;
}
