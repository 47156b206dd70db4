// Keeps cases from poisoning each other: tens of thousands of sockets in TIME_WAIT left by one
// case make the next one fail to connect. Before a case, wait (bounded) until the TIME_WAIT
// sockets this run left — those on the ports of the servers it started — are under a threshold,
// and record the wait. Other sessions' TIME_WAIT on a shared machine is recorded, not waited for.
import { readFileSync } from 'node:fs';
import type { TimeWaitRecord } from '../model/case-result.ts';
import { readSockstat } from '../sys/proc.ts';

const TCP_TIME_WAIT = '06';

/** TIME_WAIT sockets in /proc/net/tcp{,6} text whose local or remote port is in `ports`. */
export function countTimeWaitOnPorts(text: string, ports: ReadonlySet<number>): number {
  let count = 0;
  for (const line of text.split('\n')) {
    // "  sl  local_address rem_address   st ..." → "0: 0100007F:1F90 0100007F:C35A 06 ..."
    const fields = line.trim().split(/\s+/);
    if (fields[3] !== TCP_TIME_WAIT) continue;
    const local = parseInt(fields[1]!.slice(fields[1]!.lastIndexOf(':') + 1), 16);
    const remote = parseInt(fields[2]!.slice(fields[2]!.lastIndexOf(':') + 1), 16);
    if (ports.has(local) || ports.has(remote)) count++;
  }
  return count;
}

/** TIME_WAIT sockets on `ports`, machine-wide (the socket tables are read only when there are any). */
export function readTimeWaitOnPorts(ports: ReadonlySet<number>): number {
  if (ports.size === 0 || readSockstat().tw === 0) return 0;
  let text = '';
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      text += readFileSync(file, 'latin1');
    } catch {
      // no IPv6
    }
  }
  return countTimeWaitOnPorts(text, ports);
}

/** Waits while `read()` (this run's TIME_WAIT count) is at or above the threshold, at most `maxSeconds`. */
export async function waitForTimeWait(
  thresholdCount: number,
  maxSeconds: number,
  read: () => number,
): Promise<TimeWaitRecord> {
  const machineBefore = readSockstat().tw;
  const before = read();
  const started = performance.now();
  let now = before;
  while (now >= thresholdCount && (performance.now() - started) / 1000 < maxSeconds) {
    await new Promise((r) => setTimeout(r, 500));
    now = read();
  }
  const waitedSeconds = (performance.now() - started) / 1000;
  return {
    thresholdCount,
    before,
    after: now,
    machineBefore,
    waitedSeconds: Math.round(waitedSeconds * 10) / 10,
    outcome: before < thresholdCount ? 'clear' : now < thresholdCount ? 'waited' : 'timed-out',
  };
}
