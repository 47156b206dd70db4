// Ramps a shard's connections at its share of --connect-rate and reports how the ramp went:
// established, failed by cause, connect-time histogram. One timer paces all connects.
import { createHistogram, encodeHistogram, recordUs, type LatencyHistogram } from '@c1m/results';
import { nowUs } from './clock.ts';
import type { Conn } from './conn.ts';
import { readMeminfo } from '@c1m/proc';
import type { FailureCause } from '@c1m/protocol';
import { settledRssBytes } from './memory.ts';
import type { ConnectReport } from '../ipc/messages.ts';
import { IDLE_LISTENER, type PhaseListener, type Pool } from './pool.ts';
import { countCause, PhaseStats } from '../recording/stats.ts';

/**
 * Most connects started per turn of the event loop: a connect costs a bind and a connect
 * syscall (run on the next tick), and the loop must keep answering replies, timeouts and the
 * coordinator in between, however far behind the ramp is.
 */
const CONNECTS_PER_TURN = 200;
/** How often a guarded ramp reads /proc/meminfo. */
const MEMORY_CHECK_US = 200_000;

/**
 * Opens `count` connections starting at `startUs`, `rate` per second (0 = as fast as possible).
 * Errors go to `stats` (a fresh PhaseStats unless the caller counts the ramp into its own).
 * With `minFreeBytes`, the ramp checks the machine's available memory as it goes and stops
 * opening connections when it falls below, reporting how far it got and why.
 */
export function rampConnections(
  pool: Pool,
  count: number,
  rate: number,
  startUs: number,
  {
    measureRss = true,
    stats = new PhaseStats(),
    minFreeBytes = 0,
  }: { measureRss?: boolean; stats?: PhaseStats; minFreeBytes?: number } = {},
): Promise<ConnectReport> {
  return new Promise((resolve) => {
    const hist: LatencyHistogram = createHistogram();
    const report: ConnectReport = {
      requested: count,
      established: 0,
      failed: 0,
      failedByCause: {},
      lostDuringRamp: 0,
      errors: {},
      seconds: 0,
      connect: '',
      rssBytes: 0,
    };
    let started = 0;
    /** Connections this ramp will start: `count`, unless the memory guard stops it earlier. */
    let target = count;
    let memoryCheckedUs = 0;
    pool.stats = stats;
    const finishIfDone = () => {
      if (report.established + report.failed < target) return;
      pool.listener = IDLE_LISTENER;
      report.seconds = (nowUs() - startUs) / 1e6;
      report.connect = encodeHistogram(hist);
      report.errors = { ...stats.errors };
      report.rssBytes = measureRss ? settledRssBytes() : 0;
      resolve(report);
    };
    const listener: PhaseListener = {
      ...IDLE_LISTENER,
      opened(conn: Conn, atUs: number) {
        report.established++;
        recordUs(hist, atUs - conn.startUs);
        finishIfDone();
      },
      connectFailed(_conn: Conn, cause: FailureCause) {
        report.failed++;
        countCause(report.failedByCause, cause);
        finishIfDone();
      },
      lostOpen() {
        report.lostDuringRamp++;
      },
    };
    pool.listener = listener;
    const intervalUs = rate > 0 ? 1e6 / rate : 0;
    const memoryTooLow = (now: number): boolean => {
      if (minFreeBytes <= 0 || now - memoryCheckedUs < MEMORY_CHECK_US) return false;
      memoryCheckedUs = now;
      // Without /proc/meminfo (not Linux) there is nothing to guard with.
      const available = readMeminfo()?.availableBytes ?? Number.POSITIVE_INFINITY;
      if (available >= minFreeBytes) return false;
      report.stoppedReason =
        `MemAvailable ${Math.round(available / 2 ** 20)} MiB fell below the floor ` +
        `of ${Math.round(minFreeBytes / 2 ** 20)} MiB after ${started} of ${count} connects`;
      target = started;
      return true;
    };
    const tick = () => {
      const now = nowUs();
      if (memoryTooLow(now)) return finishIfDone();
      let batch = 0;
      while (started < target && batch < CONNECTS_PER_TURN && (rate === 0 || startUs + started * intervalUs <= now)) {
        pool.connect();
        started++;
        batch++;
      }
      if (started >= target) return;
      const gapMs = rate > 0 ? (startUs + started * intervalUs - nowUs()) / 1000 : 0;
      if (gapMs <= 0) setImmediate(tick);
      else setTimeout(tick, Math.max(1, Math.floor(gapMs)));
    };
    if (count === 0) finishIfDone();
    else setTimeout(tick, Math.max(0, (startUs - nowUs()) / 1000));
  });
}
