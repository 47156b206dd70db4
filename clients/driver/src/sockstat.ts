// The kernel's socket counters (/proc/net/sockstat): TIME_WAIT is what the short scenario is about.
import { readFileSync } from 'node:fs';

/** Sockets in TIME_WAIT on this machine (the `tw` field of the TCP line); -1 when unreadable. */
export function timeWaitCount(text?: string): number {
  let sockstat = text;
  if (sockstat === undefined) {
    try {
      sockstat = readFileSync('/proc/net/sockstat', 'utf8');
    } catch {
      return -1;
    }
  }
  const m = /^TCP:.*\btw (\d+)/m.exec(sockstat);
  return m ? Number(m[1]) : -1;
}
