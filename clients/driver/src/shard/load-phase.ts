// One load phase on a shard's open connections:
// - closed loop: `pipeline` requests in flight per connection, the next sent when one returns;
// - open loop: message j is due at start + j/rate on connection j mod n, sent on schedule whether
//   or not replies came back (a backlog is sent late, never skipped), latency measured from the
//   due time (coordinated omission corrected) and from the actual send;
// - hold: the open loop at one ping per connection per --ping-interval, counted per round.
// One scheduler drives every connection; no connection has a timer of its own.
import { blockUntilUs, epochMsToNowUs, nowUs } from './clock.ts';
import { OPEN, type Conn, type Pending } from './conn.ts';
import { settledRssBytes } from './memory.ts';
import type { LoadReport, LoadStep } from '../ipc/messages.ts';
import { IDLE_LISTENER, type PhaseListener, type Pool } from './pool.ts';
import { PhaseStats } from '../recording/stats.ts';

/** Above this gap to the next send, sleep on a timer (it wakes ~1 ms early on purpose). */
const TIMER_GAP_US = 2000;
/** How often the end of a phase checks whether every reply is in. */
const DRAIN_POLL_MS = 5;
/**
 * hold sends its pings in batches, one batch per tick of 1/30 of the ping interval (at most 1 s):
 * a ping leaves at most that late and still has its whole interval to be answered. Waking a
 * sleeping process is what a lone ping costs most: at a million connections with a 50 ms tick,
 * the wake-ups of the server children from the drivers' writes took ~10% of the machine. A
 * 1 s batch of ~600 pings from one shard finds each of ~60 children with ~10 to answer per
 * wake-up. Each shard starts its ticks at a random phase, so the shards' batches do not all
 * land at once.
 */
const HOLD_TICK_MAX_MS = 1000;
const HOLD_TICKS_PER_INTERVAL = 30;

/** Runs one load step on the pool's open connections. */
export function runLoad(pool: Pool, step: LoadStep): Promise<LoadReport> {
  return new LoadPhase(pool, step).run();
}

class LoadPhase implements PhaseListener {
  private readonly pool: Pool;
  private readonly step: LoadStep;
  private readonly live: Conn[];
  private readonly stats = new PhaseStats();
  private readonly startUs: number;
  private readonly measureFromUs: number;
  /** No request is due at or after this (open loop, hold) or sent after it (closed loop). */
  private readonly sendEndUs: number;
  /** The phase's end: sendEndUs, or the end of the hold. */
  private readonly endUs: number;
  private readonly intervalUs: number;
  /** hold: how long each ping has to be answered. */
  private readonly pingIntervalUs: number;
  /** hold: how often the scheduler wakes to send the pings that are due. */
  private readonly holdTickMs: number;
  private readonly limit: number;
  private readonly answeredPerRound: number[] = [];
  private readonly missedPerRound: number[] = [];
  private j = 0;
  private readonly cpuAtStart = process.cpuUsage();
  private sending = true;
  private done: ((report: LoadReport) => void) | null = null;

  constructor(pool: Pool, step: LoadStep) {
    this.pool = pool;
    this.step = step;
    this.live = pool.conns.filter((c) => c.state === OPEN);
    const n = this.live.length;
    this.startUs = epochMsToNowUs(step.startAtMs);
    const warmupUs = step.mode === 'hold' ? 0 : step.warmupMs * 1000;
    this.measureFromUs = this.startUs + warmupUs;
    this.endUs = this.measureFromUs + step.durationMs * 1000;
    this.pingIntervalUs = step.pingIntervalMs * 1000;
    this.holdTickMs = Math.max(
      1,
      Math.min(HOLD_TICK_MAX_MS, Math.floor(step.pingIntervalMs / HOLD_TICKS_PER_INTERVAL)),
    );
    if (step.mode === 'hold') {
      // Round k pings every connection once, spread evenly over [k*P, (k+1)*P).
      const spreadUs = Math.min(step.pingIntervalMs, step.durationMs) * 1000;
      const rounds = Math.max(1, Math.floor(step.durationMs / step.pingIntervalMs));
      this.intervalUs = n > 0 ? spreadUs / n : 0;
      this.limit = rounds * n;
      this.sendEndUs = this.startUs + rounds * spreadUs;
      for (let r = 0; r < rounds; r++) {
        this.answeredPerRound.push(0);
        this.missedPerRound.push(0);
      }
    } else {
      this.intervalUs = step.rate > 0 ? 1e6 / step.rate : 0;
      this.limit = Number.POSITIVE_INFINITY;
      this.sendEndUs = this.endUs;
    }
  }

  run(): Promise<LoadReport> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.pool.stats = this.stats;
      this.pool.listener = this;
      if (this.live.length === 0) {
        setTimeout(() => this.finish(), Math.max(0, (this.endUs - nowUs()) / 1000));
        return;
      }
      const startIn = Math.max(0, (this.startUs - nowUs()) / 1000);
      if (this.step.mode === 'closed') {
        setTimeout(() => this.startClosed(), startIn);
        setTimeout(() => this.stopSending(), Math.max(0, (this.sendEndUs - nowUs()) / 1000));
      } else {
        setTimeout(this.tick, this.step.mode === 'hold' ? startIn + Math.random() * this.holdTickMs : startIn);
      }
    });
  }

  private startClosed(): void {
    for (let d = 0; d < this.step.pipeline; d++) {
      for (const conn of this.live) this.sendOne(conn, nowUs(), 0);
    }
  }

  private sendOne(conn: Conn, schedUs: number, round: number): void {
    const bytes = this.pool.send(conn, schedUs, round);
    if (bytes < 0) {
      this.stats.counts.notSent++;
      if (this.step.mode === 'hold') this.missedPerRound[round]!++;
      return;
    }
    if (schedUs >= this.measureFromUs && schedUs < this.sendEndUs) this.stats.counts.bytesSentMeasured += bytes;
  }

  /** The open-loop / hold scheduler: sends everything due, then waits for the next due time. */
  private readonly tick = (): void => {
    const pool = this.pool;
    const live = this.live;
    const n = live.length;
    for (;;) {
      const now = nowUs();
      while (this.j < this.limit) {
        const due = this.startUs + this.j * this.intervalUs;
        if (due >= this.sendEndUs) {
          this.j = this.limit;
          break;
        }
        if (due > now) break;
        const conn = live[this.j % n]!;
        if (this.step.mode === 'hold') this.ping(conn, due, Math.floor(this.j / n));
        else this.sendOne(conn, due, 0);
        this.j++;
      }
      if (this.j >= this.limit) {
        this.stopSending();
        return;
      }
      const next = this.startUs + this.j * this.intervalUs;
      const gap = next - nowUs();
      if (gap > TIMER_GAP_US) {
        setTimeout(this.tick, Math.max(this.step.mode === 'hold' ? this.holdTickMs : 1, Math.floor(gap / 1000) - 1));
        return;
      }
      if (!this.step.precise) {
        setTimeout(this.tick, Math.max(this.step.mode === 'hold' ? this.holdTickMs : 1, Math.floor(gap / 1000)));
        return;
      }
      if (gap > 0 && pool.inflight > 0) {
        // Replies are due: keep the event loop turning until they are in or the send is due.
        setImmediate(this.tick);
        return;
      }
      // Nothing in flight: block briefly for a precise send (no I/O can be missed meanwhile).
      if (gap > 0) blockUntilUs(next);
    }
  };

  /** hold: a connection's previous ping still unanswered when the next is due missed its round. */
  private ping(conn: Conn, due: number, round: number): void {
    const pending = conn.pending;
    if (pending !== null) {
      for (const entry of pending) {
        if (entry.settled) continue;
        this.pool.settle(entry);
        this.missedPerRound[entry.round]!++;
      }
    }
    this.sendOne(conn, due, round);
  }

  private stopSending(): void {
    if (!this.sending) return;
    this.sending = false;
    // hold: keep holding (idle) until the end; then let outstanding replies arrive. A hold ping
    // has one interval to be answered in every round, the last one too: until its connection's
    // next ping would have been due.
    const wait = Math.max(0, (this.endUs - nowUs()) / 1000);
    const graceMs =
      this.step.mode === 'hold' ? Math.max(this.step.graceMs, this.step.pingIntervalMs) : this.step.graceMs;
    setTimeout(() => this.drain(nowUs() + graceMs * 1000), wait);
  }

  private drain(deadlineUs: number): void {
    if (this.pool.inflight > 0 && nowUs() < deadlineUs) {
      setTimeout(() => this.drain(deadlineUs), DRAIN_POLL_MS);
      return;
    }
    this.finish();
  }

  private finish(): void {
    for (const conn of this.live) this.pool.abandon(conn, true);
    this.pool.listener = IDLE_LISTENER;
    const report: LoadReport = {
      phase: this.stats.report(),
      rounds: this.answeredPerRound.map((answered, r) => ({ answered, missed: this.missedPerRound[r]! })),
      connections: this.live.length,
      rssBytes: 0,
      cpuSeconds: 0,
    };
    const cpu = process.cpuUsage(this.cpuAtStart);
    report.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (this.step.measureRss) report.rssBytes = settledRssBytes();
    this.done?.(report);
  }

  // PhaseListener

  answered(conn: Conn, entry: Pending, correct: boolean, atUs: number, wireBytes: number): void {
    const stats = this.stats;
    if (correct && entry.schedUs >= this.measureFromUs && entry.schedUs < this.sendEndUs) {
      stats.counts.measured++;
      stats.counts.bytesReceivedMeasured += wireBytes;
      stats.corrected.record(atUs - entry.schedUs);
      stats.uncorrected.record(atUs - entry.sentUs);
    }
    if (this.step.mode === 'hold') {
      // In time: before the connection's next ping is due (for the last round, when it would be).
      if (correct && atUs - entry.schedUs <= this.pingIntervalUs) this.answeredPerRound[entry.round]!++;
      else this.missedPerRound[entry.round]!++;
    } else if (this.step.mode === 'closed' && this.sending && atUs < this.sendEndUs) {
      this.sendOne(conn, atUs, 0);
    }
  }

  abandoned(entry: Pending): void {
    if (this.step.mode === 'hold') this.missedPerRound[entry.round]!++;
  }

  opened(): void {}
  connectFailed(): void {}
  lostOpen(): void {}
  closedByUs(): void {}
}
