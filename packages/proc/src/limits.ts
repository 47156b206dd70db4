// RLIMIT_NOFILE from /proc/<pid>/limits: the descriptor budget every connection count is bound by.
import { readProcText } from './read-text.ts';

/**
 * How "unlimited" is represented in every limit this package returns: a number larger than any
 * real need, so `limit >= needed` and `limit - reserve` work without a special case, and one
 * that survives JSON (result files record limits; Infinity would be written as null and -1 would
 * compare as smaller than every need).
 */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** A soft and a hard limit; either may be UNLIMITED. */
export interface Limit {
  soft: number;
  hard: number;
}

/**
 * What a process without /proc to ask (not Linux) assumes: the usual default soft limit. Servers
 * size their connection budget from it and result files record it.
 */
export const DEFAULT_NOFILE_LIMIT: Limit = { soft: 1024, hard: 1024 };

/** The "Max open files" row of a /proc/<pid>/limits text; undefined when the row is missing or malformed. */
export function parseNofileLimit(text: string): Limit | undefined {
  const row = 'Max open files';
  const line = text.split('\n').find((l) => l.startsWith(row));
  if (line === undefined) return undefined;
  const [soft, hard] = line.slice(row.length).trim().split(/\s+/).map(limitValue);
  return soft === undefined || hard === undefined ? undefined : { soft, hard };
}

function limitValue(text: string): number | undefined {
  if (text === 'unlimited') return UNLIMITED;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** RLIMIT_NOFILE of a process (this one by default); undefined when /proc is not there. */
export function readNofileLimit(pid: number | 'self' = 'self'): Limit | undefined {
  const text = readProcText(`/proc/${pid}/limits`);
  return text === undefined ? undefined : parseNofileLimit(text);
}
