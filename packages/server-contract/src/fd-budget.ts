// How many connections one process may hold: RLIMIT_NOFILE minus a reserve for listen sockets,
// the stats server, pipes, epoll/eventfd handles, worker threads and files. At the budget a
// server refuses new connections (counted) instead of failing accept() with EMFILE.
import { readFileSync } from 'node:fs';

/** Descriptors kept back from the connection budget of each process. */
export const FD_RESERVE = 256;

/** The kernel's per-process ceiling on descriptors (fs.nr_open): what "unlimited" really allows. */
function kernelFdCeiling(): number {
  try {
    const n = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim());
    if (Number.isSafeInteger(n) && n > 0) return n;
  } catch {
    // not Linux
  }
  return 1_048_576;
}

/**
 * The soft and hard "Max open files" of a /proc/<pid>/limits text, or undefined when the line is
 * missing or unreadable. "unlimited" (RLIM_INFINITY) becomes `unlimited`, the kernel's real ceiling,
 * so a budget is never computed from a sentinel.
 */
export function parseFdLimits(limitsText: string, unlimited = kernelFdCeiling()): { soft: number; hard: number } | undefined {
  const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
  if (!line) return undefined;
  const [soft, hard] = line
    .slice('Max open files'.length)
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .map((v) => (v === 'unlimited' ? unlimited : Number(v)));
  if (!Number.isSafeInteger(soft) || !Number.isSafeInteger(hard)) return undefined;
  return { soft: soft!, hard: hard! };
}

/** The soft and hard RLIMIT_NOFILE of this process (1024/1024 where /proc cannot tell). */
export function readFdLimit(): { soft: number; hard: number } {
  try {
    const limits = parseFdLimits(readFileSync('/proc/self/limits', 'utf8'));
    if (limits) return limits;
  } catch {
    // not Linux: fall through
  }
  return { soft: 1024, hard: 1024 };
}

/** Connections one process can hold under its soft descriptor limit. */
export function connectionBudget(fdLimit = readFdLimit().soft): number {
  return Math.max(0, fdLimit - FD_RESERVE);
}
