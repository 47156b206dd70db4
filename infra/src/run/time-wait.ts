// Keeps cases from poisoning each other: tens of thousands of sockets in TIME_WAIT left by one
// case make the next one fail to connect. Before a case, wait (bounded) until the kernel's
// TIME_WAIT count is under a threshold, and record how long that took.
import type { TimeWaitRecord } from '../model/case-result.ts';
import { readSockstat } from '../sys/proc.ts';

export async function waitForTimeWait(thresholdCount: number, maxSeconds: number, read = () => readSockstat().tw): Promise<TimeWaitRecord> {
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
    waitedSeconds: Math.round(waitedSeconds * 10) / 10,
    outcome: before < thresholdCount ? 'clear' : now < thresholdCount ? 'waited' : 'timed-out',
  };
}
