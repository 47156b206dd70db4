// /proc/net/sockstat: the kernel's TCP socket counters (in use, TIME_WAIT, buffer pages).
import { readProcText } from './read-text.ts';

/** The TCP line of /proc/net/sockstat: sockets in use, orphans, TIME_WAIT, allocated, memory pages. */
export interface TcpSockstat {
  inuse: number;
  orphan: number;
  tw: number;
  alloc: number;
  /** TCP buffer memory in pages (the page size, not 1 KiB). */
  memPages: number;
}

/** Parses a /proc/net/sockstat text; undefined when it has no TCP line. */
export function parseSockstat(text: string): TcpSockstat | undefined {
  const line = text.split('\n').find((l) => l.startsWith('TCP:'));
  if (line === undefined) return undefined;
  const field = (k: string) => Number(new RegExp(`\\b${k} (\\d+)`).exec(line)?.[1] ?? 0);
  return {
    inuse: field('inuse'),
    orphan: field('orphan'),
    tw: field('tw'),
    alloc: field('alloc'),
    memPages: field('mem'),
  };
}

/** The machine's TCP socket counters now (of this network namespace); undefined when /proc is not there. */
export function readSockstat(): TcpSockstat | undefined {
  const text = readProcText('/proc/net/sockstat');
  return text === undefined ? undefined : parseSockstat(text);
}
