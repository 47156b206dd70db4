// One loop of the short scenario on a shard: open this shard's share of --concurrency
// connections at once (or at --connect-rate), make --round-trips request/reply exchanges on
// each (checking every reply), close (FIN, or RST with --linger0), and count each connection
// finished or failed.
import { epochMsToNowUs, nowUs } from './clock.ts';
import type { Conn, Pending } from './conn.ts';
import { rampConnections } from './connect-phase.ts';
import type { ShortReport, ShortStep } from '../ipc/messages.ts';
import { IDLE_LISTENER, type PhaseListener, type Pool } from './pool.ts';
import { PhaseStats } from '../recording/stats.ts';

const PENDING = 0;
const REPLIED = 1;
const DONE = 2;

/** Runs one short loop of `count` connections on a pool emptied for it. */
export async function runShortLoop(
  pool: Pool,
  count: number,
  connectRate: number,
  step: ShortStep,
): Promise<ShortReport> {
  pool.reset();
  const stats = new PhaseStats();
  pool.stats = stats;
  const outcome = new Uint8Array(count).fill(PENDING);
  const answered = new Uint32Array(count);
  const startUs = epochMsToNowUs(step.startAtMs);
  let finished = 0;
  let failed = 0;
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const settle = (conn: Conn, ok: boolean) => {
    if (outcome[conn.index] === DONE) return;
    outcome[conn.index] = DONE;
    if (ok) finished++;
    else failed++;
    if (finished + failed === count) resolveDone();
  };
  const loopListener: PhaseListener = {
    ...IDLE_LISTENER,
    opened(conn: Conn, atUs: number) {
      pool.send(conn, atUs, 0);
    },
    answered(conn: Conn, entry: Pending, correct: boolean, atUs: number, wireBytes: number) {
      if (correct) {
        stats.counts.measured++;
        stats.counts.bytesReceivedMeasured += wireBytes;
        stats.corrected.record(atUs - entry.schedUs);
        stats.uncorrected.record(atUs - entry.sentUs);
        answered[conn.index]! += 1;
        if (answered[conn.index]! < step.roundTrips) {
          pool.send(conn, atUs, 0);
          return;
        }
        outcome[conn.index] = REPLIED;
        pool.closeConn(conn, step.linger0);
      } else {
        settle(conn, false);
        pool.closeConn(conn, true);
      }
    },
    closedByUs(conn: Conn) {
      settle(conn, outcome[conn.index] === REPLIED);
    },
    lostOpen(conn: Conn) {
      settle(conn, false);
    },
    connectFailed(conn: Conn) {
      settle(conn, false);
    },
  };
  // The ramp installs its own listener (and resets it when every connection is open or failed,
  // synchronously before its promise settles): chain both until then.
  const ramp = rampConnections(pool, count, connectRate, startUs, { measureRss: false, stats });
  const rampListener = pool.listener;
  pool.listener = {
    ...loopListener,
    opened(conn, atUs) {
      rampListener.opened(conn, atUs);
      loopListener.opened(conn, atUs);
    },
    connectFailed(conn, cause) {
      rampListener.connectFailed(conn, cause);
      loopListener.connectFailed(conn, cause);
    },
  };
  if (count === 0) resolveDone();
  const connect = await ramp;
  pool.listener = loopListener;
  await allDone;
  const seconds = (nowUs() - startUs) / 1e6;
  pool.listener = IDLE_LISTENER;
  return { connect, phase: stats.report(), finished, failed, seconds };
}
