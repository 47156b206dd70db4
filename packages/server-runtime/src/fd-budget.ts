// How many connections one process may hold: RLIMIT_NOFILE minus a reserve for listen sockets,
// the stats server, pipes, epoll/eventfd handles, worker threads and files. At the budget a
// server refuses new connections (counted) instead of failing accept() with EMFILE.
import { DEFAULT_NOFILE_LIMIT, readNofileLimit } from '@c1m/proc';

/** Descriptors kept back from the connection budget of each process. */
export const FD_RESERVE = 256;

/** The soft and hard RLIMIT_NOFILE of this process ("unlimited" is @c1m/proc's UNLIMITED). */
export function readFdLimit(): { soft: number; hard: number } {
  return readNofileLimit() ?? DEFAULT_NOFILE_LIMIT;
}

/** Connections one process can hold under its soft descriptor limit. */
export function connectionBudget(fdLimit = readFdLimit().soft): number {
  return Math.max(0, fdLimit - FD_RESERVE);
}
