// How many connections one process may hold: RLIMIT_NOFILE minus a reserve for listen sockets,
// the stats server, pipes, epoll/eventfd handles, worker threads and files. At the budget a
// server refuses new connections (counted) instead of failing accept() with EMFILE.
import { readFileSync } from 'node:fs';

/** Descriptors kept back from the connection budget of each process. */
export const FD_RESERVE = 256;

/** The soft and hard RLIMIT_NOFILE of this process. */
export function readFdLimit(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').trim().split(/\s+/).slice(3, 5).map(Number);
    if (Number.isFinite(soft) && Number.isFinite(hard)) return { soft: soft!, hard: hard! };
  } catch {
    // not Linux: fall through
  }
  return { soft: 1024, hard: 1024 };
}

/** Connections one process can hold under its soft descriptor limit. */
export function connectionBudget(fdLimit = readFdLimit().soft): number {
  return Math.max(0, fdLimit - FD_RESERVE);
}
