// The connections of one shard and everything that happens to them: connecting (paced by the
// phase, bounded by one timeout sweep for all sockets), sending requests, matching and checking
// replies, losing connections. What a phase does with an answer is up to its PhaseListener.
import { HELD } from '@c1m/net-direct';
import { END_OF_STREAM, readU32BE, type FailureCause } from '@c1m/protocol';
import { epochUs, nowUs } from './clock.ts';
import { CLOSED, CLOSING, CONNECTING, Conn, OPEN, Pending, UPGRADING, resetSocket, type ConnOwner } from './conn.ts';
import type { RequestFactory } from './requests.ts';
import { PhaseStats } from '../recording/stats.ts';
import type { PoolSettings } from '../ipc/messages.ts';

/** What the current phase wants to hear about. */
export interface PhaseListener {
  /** Connected (and upgraded): `nowUs` is when. */
  opened(conn: Conn, atUs: number): void;
  /** Never got open: ECONNREFUSED, EADDRNOTAVAIL, EMFILE, ETIMEDOUT, C1M_HTTP_UPGRADE … */
  connectFailed(conn: Conn, cause: FailureCause): void;
  /** A reply to `entry` arrived and was checked. `wireBytes` is its size on the wire. */
  answered(conn: Conn, entry: Pending, correct: boolean, atUs: number, wireBytes: number): void;
  /** An unanswered request was given up (connection lost or grace over). */
  abandoned(entry: Pending): void;
  /** An open connection was lost (already counted as an error by cause). */
  lostOpen(conn: Conn): void;
  /** A connection we closed with FIN finished closing. */
  closedByUs(conn: Conn): void;
}

/** A listener that ignores everything (between phases). */
export const IDLE_LISTENER: PhaseListener = {
  opened() {},
  connectFailed() {},
  answered() {},
  abandoned() {},
  lostOpen() {},
  closedByUs() {},
};

const SWEEP_MS = 100;

/** Drops a connection's socket silently (its events no longer reach the pool), with RST when `rst`. */
function discardSocket(conn: Conn, rst: boolean): void {
  const socket = conn.socket;
  if (socket === null) return;
  socket.removeAllListeners();
  socket.on('error', () => {});
  if (socket.destroyed) return;
  if (rst) resetSocket(socket);
  else socket.destroy();
}

/** One shard's connections. */
export class Pool implements ConnOwner {
  readonly readBuffer = Buffer.allocUnsafe(64 * 1024);
  readonly maxFrameBytes: number;
  readonly pongReplies: boolean;
  readonly conns: Conn[] = [];
  /** Connections open now. */
  openCount = 0;
  /** Requests in flight and not yet settled. */
  inflight = 0;
  /** Counters of the current phase. */
  stats = new PhaseStats();
  listener: PhaseListener = IDLE_LISTENER;
  private readonly settings: PoolSettings;
  private readonly requests: RequestFactory;
  /** Connections whose deadline is being watched, in start order (so one cursor suffices). */
  private watch: Conn[] = [];
  private watchHead = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  /** Next explicit local port per source address (index as in settings.sourceIps; one when none). */
  private readonly nextPort: number[] = [];
  /** Connections retrying another local port, with the attempts used (rare: only after a clash). */
  private readonly retries = new Map<Conn, number>();

  constructor(settings: PoolSettings, requests: RequestFactory) {
    this.settings = settings;
    this.maxFrameBytes = settings.maxFrameBytes;
    this.pongReplies = requests.pongReplies;
    this.requests = requests;
    requests.useReadBuffer(this.readBuffer);
  }

  /** Starts a new connection (index = its position in `conns`). */
  connect(): Conn {
    const index = this.conns.length;
    const { targets, firstIndex } = this.settings;
    const conn = new Conn(this, index, targets[(firstIndex + index) % targets.length]!);
    this.conns.push(conn);
    this.watch.push(conn);
    this.sweepTimer ??= setInterval(() => this.sweep(), SWEEP_MS);
    this.start(conn, nowUs());
    return conn;
  }

  /** Opens the socket of `conn` from its source address (and next explicit port, if any). */
  private start(conn: Conn, startUs: number): void {
    const { sourceIps, localPorts, firstIndex } = this.settings;
    const global = firstIndex + conn.index;
    const source = sourceIps.length > 0 ? global % sourceIps.length : 0;
    let localAddress = sourceIps.length > 0 ? sourceIps[source] : undefined;
    let localPort: number | undefined;
    if (localPorts) {
      localAddress ??= conn.target.host.startsWith('127.') ? '127.0.0.2' : '0.0.0.0';
      localPort = this.nextPort[source] ?? localPorts.first;
      const next = localPort + localPorts.step;
      this.nextPort[source] = next > localPorts.last ? localPorts.first : next;
    }
    conn.connect(startUs, localAddress, localPort);
  }

  /** After a local-port clash, connects again from the next port; false when out of attempts. */
  private retryPort(conn: Conn, cause: FailureCause): boolean {
    if (!this.settings.localPorts || (cause !== 'EADDRINUSE' && cause !== 'EADDRNOTAVAIL')) return false;
    const used = this.retries.get(conn) ?? 0;
    if (used >= this.settings.portRetries) {
      this.retries.delete(conn);
      return false;
    }
    this.retries.set(conn, used + 1);
    discardSocket(conn, false);
    conn.state = CONNECTING;
    this.start(conn, conn.startUs);
    return true;
  }

  /** Forgets connections (short: between loops), closing any still open with RST. */
  reset(): void {
    this.closeAll();
    this.conns.length = 0;
    this.retries.clear();
    this.watch = [];
    this.watchHead = 0;
    this.inflight = 0;
  }

  opened(conn: Conn): void {
    if (conn.state !== CONNECTING && conn.state !== UPGRADING) return;
    conn.state = OPEN;
    if (this.retries.size > 0) this.retries.delete(conn);
    this.openCount++;
    this.listener.opened(conn, nowUs());
    // http keep-alive off: the requests sent while this connection was being made go out now.
    if (conn.pending !== null && this.requests.newConnectionPerRequest)
      for (const entry of conn.pending) conn.write(entry.req!);
  }

  lost(conn: Conn, cause: FailureCause): void {
    const state = conn.state;
    if (state === CLOSED) return;
    if (state === CONNECTING && this.retryPort(conn, cause)) return;
    conn.state = CLOSED;
    const socket = conn.socket;
    conn.socket = null;
    conn.decoder = null;
    conn.handshake = null;
    if (socket !== null && !socket.destroyed) socket.destroy();
    // A connection made for a request already sent (http keep-alive off) failing is a load error.
    const owedRequests = conn.pending !== null;
    this.abandon(conn, false);
    if (state === CLOSING) {
      if (cause !== END_OF_STREAM) this.stats.error(cause);
      this.listener.closedByUs(conn);
    } else if (state === OPEN) {
      this.openCount--;
      this.stats.error(cause);
      this.listener.lostOpen(conn);
    } else {
      if (owedRequests) this.stats.error(cause);
      this.listener.connectFailed(conn, cause);
    }
  }

  /**
   * http keep-alive off, after a response: reset the connection (RST: no TIME_WAIT on either
   * side) and make a new one; a request sent meanwhile waits in `pending` until it is open.
   */
  private reconnect(conn: Conn): void {
    discardSocket(conn, true);
    conn.socket = null;
    conn.decoder = null;
    conn.state = CONNECTING;
    this.openCount--;
    this.watch.push(conn);
    this.sweepTimer ??= setInterval(() => this.sweep(), SWEEP_MS);
    this.start(conn, nowUs());
  }

  /**
   * Ends an open connection on purpose: RST (closedByUs at once) or FIN (closedByUs when the
   * peer's FIN arrives). Unanswered requests count as missing.
   */
  closeConn(conn: Conn, rst: boolean): void {
    if (conn.state !== OPEN) return;
    this.openCount--;
    if (!rst) {
      conn.close(false);
      return;
    }
    conn.state = CLOSED;
    const socket = conn.socket;
    conn.socket = null;
    conn.decoder = null;
    if (socket !== null && !socket.destroyed) resetSocket(socket);
    this.abandon(conn, false);
    this.listener.closedByUs(conn);
  }

  /**
   * Sends one request on `conn`, due at `schedUs`. Returns the bytes written, or -1 when the
   * connection is not open (nothing sent).
   */
  send(conn: Conn, schedUs: number, round: number): number {
    // http keep-alive off: a connection being made takes the request, written once it is open.
    if (conn.state !== OPEN && !(conn.state === CONNECTING && this.requests.newConnectionPerRequest)) return -1;
    const seq = conn.seq;
    conn.seq = (seq + 1) >>> 0;
    const sentUs = nowUs();
    const sendTimeUs = epochUs(sentUs);
    const requests = this.requests;
    const frame = requests.build(seq, sendTimeUs);
    const entry = new Pending(seq, requests.body, requests.bodyBytes, sendTimeUs, schedUs, sentUs, round);
    if (conn.pending === null) conn.pending = [entry];
    else conn.pending.push(entry);
    this.inflight++;
    this.stats.counts.sent++;
    // A frame the kernel could not take at once stays with the socket's queue: the factory builds the
    // next one in a new buffer.
    if (conn.write(frame) === HELD) requests.frameHeld(frame);
    return frame.length;
  }

  frame(conn: Conn, bytes: Buffer, start: number, end: number, opcode: number, httpHeadBytes = 0): void {
    const atUs = nowUs();
    const list = conn.pending;
    const stats = this.stats;
    let i = -1;
    // HTTP responses carry no seq: they answer the requests in order.
    if (list !== null && conn.target.transport === 'http') i = 0;
    else if (list !== null && end - start >= 4) {
      const seq = readU32BE(bytes, start);
      if (list[0]!.seq === seq) i = 0;
      else i = list.findIndex((p) => p.seq === seq);
    }
    if (i < 0) {
      stats.counts.mismatches++;
      stats.error('C1M_REPLY_UNEXPECTED');
      return;
    }
    const entry = list![i]!;
    if (i === 0) list!.shift();
    else list!.splice(i, 1);
    if (list!.length === 0) conn.pending = null;
    const correct = this.requests.verify(entry, bytes, opcode, start, end);
    if (correct) stats.counts.received++;
    else {
      stats.counts.mismatches++;
      stats.error('C1M_REPLY_MISMATCH');
    }
    // Before the listener sends the next request, which must go on the new connection.
    if (this.requests.newConnectionPerRequest) this.reconnect(conn);
    if (entry.settled) {
      stats.error('C1M_REPLY_LATE');
      return;
    }
    this.inflight--;
    this.listener.answered(conn, entry, correct, atUs, this.requests.replyWireBytes(end - start, httpHeadBytes));
  }

  /**
   * Gives up the unsettled requests of `conn`: each counts as missing and goes to the listener.
   * `keep` leaves them listed, so a reply that still comes is recognized (and counted late).
   */
  abandon(conn: Conn, keep: boolean): void {
    const list = conn.pending;
    if (list === null) return;
    for (const entry of list) {
      if (entry.settled) continue;
      entry.settled = true;
      this.inflight--;
      this.stats.counts.missing++;
      this.listener.abandoned(entry);
    }
    if (!keep) conn.pending = null;
  }

  /** Settles one request without counting it missing (hold: the round moved on without it). */
  settle(entry: Pending): void {
    if (entry.settled) return;
    entry.settled = true;
    this.inflight--;
  }

  /** Closes every connection with RST, uncounted (the end of a run). */
  closeAll(): void {
    for (const conn of this.conns) {
      if (conn.state === CLOSED) continue;
      conn.state = CLOSED;
      conn.pending = null;
      const socket = conn.socket;
      conn.socket = null;
      conn.decoder = null;
      if (socket !== null && !socket.destroyed) resetSocket(socket);
    }
    this.openCount = 0;
    this.stopSweep();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  /** Times out connections past their deadline; they were started in order, so stop at the first alive one. */
  private sweep(): void {
    const now = nowUs();
    const { connectTimeoutUs, timeoutCoversExchange } = this.settings;
    const watch = this.watch;
    while (this.watchHead < watch.length) {
      const conn = watch[this.watchHead]!;
      const done = conn.state === CLOSED || (conn.state === OPEN && !timeoutCoversExchange);
      if (!done) {
        if (now - conn.startUs < connectTimeoutUs) break;
        this.lost(conn, 'ETIMEDOUT');
      }
      this.watchHead++;
    }
    if (this.watchHead === watch.length) {
      this.watch = [];
      this.watchHead = 0;
      this.stopSweep();
    } else if (this.watchHead > 1024 && this.watchHead * 2 > watch.length) {
      this.watch = watch.slice(this.watchHead);
      this.watchHead = 0;
    }
  }
}
