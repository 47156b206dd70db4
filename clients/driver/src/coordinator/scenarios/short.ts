// short: the TIME_WAIT test. --concurrency short connections (connect, send, receive, close)
// per loop, --loops times; per loop: finished, failed, seconds; and the kernel's TIME_WAIT count.
import { readSockstat } from '@c1m/proc';
import { mergeConnectReports } from '../merge.ts';
import type { ConnectReport, PhaseReport } from '../../ipc/messages.ts';
import { commonFailures, type RunOutcome } from '../result.ts';
import { START_DELAY_MS, type ScenarioContext } from '../run.ts';
import { mergePhaseReports } from '../../recording/stats.ts';

/** Sockets in TIME_WAIT on this machine; -1 when /proc cannot say (the result records it as unknown). */
function timeWaitCount(): number {
  return readSockstat()?.tw ?? -1;
}

export async function runShort({ options, set, log }: ScenarioContext): Promise<RunOutcome> {
  const timeWaitBefore = timeWaitCount();
  const loops: Array<{ loop: number; finished: number; failed: number; seconds: number; timeWait: number }> = [];
  const connects: ConnectReport[] = [];
  const phases: PhaseReport[] = [];
  for (let loop = 1; loop <= options.loops; loop++) {
    const startAtMs = Date.now() + START_DELAY_MS;
    const replies = await set.all(
      () => ({ type: 'short', step: { loop, startAtMs, linger0: options.linger0, roundTrips: options.roundTrips } }),
      'shorted',
    );
    const reports = replies.map((r) => r.report);
    const finished = reports.reduce((a, r) => a + r.finished, 0);
    const failed = reports.reduce((a, r) => a + r.failed, 0);
    const seconds = Math.max(...reports.map((r) => r.seconds));
    const timeWait = timeWaitCount();
    loops.push({ loop, finished, failed, seconds: Math.round(seconds * 1000) / 1000, timeWait });
    log(`loop ${loop}: finished ${finished}, failed ${failed}, ${seconds.toFixed(2)}s`);
    for (const r of reports) {
      connects.push(r.connect);
      phases.push(r.phase);
    }
  }
  const connect = mergeConnectReports(connects);
  const phase = mergePhaseReports(phases);
  const outcome = {
    connect,
    phase,
    messages: phase.counts,
    errors: phase.errors,
    durationSeconds: Math.round(loops.reduce((a, l) => a + l.seconds, 0) * 1000) / 1000,
    peakConnections: options.concurrency,
    short: { loops, timeWaitAfter: timeWaitCount(), timeWaitBefore },
  };
  // Failed connections are the measurement here (that is what TIME_WAIT does); wrong replies are not.
  const failures = commonFailures(outcome, 'short');
  if (loops.every((l) => l.finished === 0)) failures.push('no short connection finished');
  return { ...outcome, failures };
}
