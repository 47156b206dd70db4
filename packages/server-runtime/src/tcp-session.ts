// One TCP connection speaking wire protocol v1: decodes frames, computes replies with the
// workload handler, writes them in order, and enforces backpressure. The architecture decides
// only how chunks arrive (an event callback or a `for await` loop); everything else is here.
// Synchronous replies to the frames of one chunk leave in one write (see ReplyBatch). Writes go
// straight to the socket's handle (no Writable bookkeeping); a remainder the kernel cannot take at
// once is copied by the write, so a reply may be a view of a reused read buffer.
import { queuedBytes, writeCopied } from '@c1m/net-direct';
import type { Socket } from 'node:net';
import { countWholeFrames, encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, isC1mError } from '@c1m/protocol';
import { ReplyBatch } from './reply-batch.ts';
import type { StatsCounters } from './stats-counters.ts';
import type { FrameHandler } from './workload-handler.ts';

/** What every session of one server shares. */
export interface TcpSessionContext {
  counters: StatsCounters;
  handle: FrameHandler;
  asyncHandler: boolean;
  /** The handler echoes each body unchanged: a reply is the request frame's own bytes. */
  echo: boolean;
  maxFrameBytes: number;
  softBytes: number;
  hardBytes: number;
}

/** Async replies in flight per connection before reading pauses. */
const MAX_IN_FLIGHT = 256;

/** The replies to the chunk being decoded; decoding is synchronous, so every session of the thread shares it. */
const batch = new ReplyBatch();

/** Protocol state of one TCP connection. */
export class TcpSession {
  private readonly decoder: FrameDecoder;
  /** Tail of the ordered chain of async replies. */
  private tail: Promise<void> | null = null;
  private inFlight = 0;
  private closed = false;
  private draining = false;
  /** Set once the drain stops reading: bytes still arriving are not decoded (nothing more is owed). */
  private reading = true;
  private waiter: (() => void) | null = null;

  constructor(
    readonly socket: Socket,
    private readonly ctx: TcpSessionContext,
  ) {
    this.decoder = new FrameDecoder(ctx.maxFrameBytes, (body) => this.onFrame(body));
  }

  /**
   * Feeds the first `length` received bytes of `chunk`, which must not be reused afterwards (a reply
   * may be a view of it).
   * Returns false when the connection was closed for a protocol error. Once the drain has stopped
   * reading, bytes are dropped undecoded: no frame is counted in framesIn that the server will not answer.
   */
  onChunk(chunk: Buffer, length = chunk.length): boolean {
    if (this.closed) return false;
    if (!this.reading) return true;
    if (this.echoWholeFrames(chunk, length)) return !this.closed;
    const bytes = length === chunk.length ? chunk : chunk.subarray(0, length);
    batch.begin(bytes);
    try {
      this.decoder.push(bytes);
    } catch (err) {
      // The frames before the bad one are answered, as they would have been one write at a time.
      this.flushBatch();
      this.fail(err);
      return false;
    }
    this.flushBatch();
    return !this.closed;
  }

  /** Reply bytes handed to the socket that the kernel has not taken yet. */
  get unsentBytes(): number {
    return queuedBytes(this.socket);
  }

  /** True when reading should wait: too much unsent output or too many async replies pending. */
  get mustWait(): boolean {
    return queuedBytes(this.socket) > this.ctx.softBytes || this.inFlight >= MAX_IN_FLIGHT;
  }

  /** Resolves when reading may go on again (or the connection closed). Counts the pause. */
  ready(): Promise<void> {
    if (!this.mustWait || this.closed) return Promise.resolve();
    this.ctx.counters.backpressurePause();
    return new Promise((resolve) => {
      this.waiter = resolve;
      if (queuedBytes(this.socket) > this.ctx.softBytes) this.socket.once('drain', () => this.wake());
    });
  }

  /** True when nothing received is still owed a reply. */
  get settled(): boolean {
    return this.inFlight === 0 && queuedBytes(this.socket) === 0;
  }

  /** Marks the session as closing: no protocol errors are counted for resets from here on. */
  markClosed(): void {
    this.closed = true;
    this.wake();
  }

  /**
   * Graceful end for a drain: stops decoding first (so no frame arrives that the FIN would leave
   * unanswered), then sends FIN after every reply owed has been written. Bytes still arriving are
   * read and dropped rather than left unread, so the peer's FIN is seen and the socket closes
   * cleanly (unread bytes would also turn our close into a reset that can destroy replies in flight).
   */
  endWhenSettled(): void {
    this.reading = false;
    this.draining = true;
    if (this.inFlight === 0 && !this.closed) this.socket.end();
  }

  private wake(): void {
    const w = this.waiter;
    if (w && (!this.mustWait || this.closed)) {
      this.waiter = null;
      w();
    }
  }

  private onFrame(body: Buffer): void {
    const { counters } = this.ctx;
    counters.frameIn(body.length);
    if (!this.ctx.asyncHandler) {
      if (this.ctx.echo) batch.echo(body);
      else batch.reply(this.ctx.handle(body) as Buffer);
      return;
    }
    // Async workloads: keep replies in request order with one chain per connection. The body may
    // be a view into a chunk that is reused later, so it is copied before the handler awaits.
    this.inFlight++;
    // A request the handler refuses at once (an io read past --io-max-read) fails the session in
    // its turn, after the replies owed to the requests before it are written.
    let reply: Promise<Buffer>;
    try {
      reply = Promise.resolve(this.ctx.handle(Buffer.from(body)));
    } catch (err) {
      reply = Promise.reject(err);
    }
    // Its rejection is read only when the replies before it are written; until then it must not
    // count as unhandled (which would end the process).
    reply.catch(() => {});
    const prev = this.tail ?? Promise.resolve();
    this.tail = prev
      .then(() => reply)
      .then(
        (r) => {
          this.inFlight--;
          if (!this.closed) this.write(r);
          if (this.draining && this.inFlight === 0 && !this.closed) this.socket.end();
          this.wake();
        },
        (err) => {
          this.inFlight--;
          this.fail(err);
        },
      );
  }

  /**
   * The echo of a chunk that is a run of whole frames (one ping, the usual read) is the chunk itself:
   * counted frame by frame and written in one write without decoding it (no view per frame, no batch).
   * False when the chunk needs the decoder: another workload, a frame split across reads, or one too large.
   */
  private echoWholeFrames(chunk: Buffer, length: number): boolean {
    const ctx = this.ctx;
    if (!ctx.echo || ctx.asyncHandler || !this.decoder.idle) return false;
    const frames = countWholeFrames(chunk, length, ctx.maxFrameBytes);
    if (frames <= 0) return false;
    const bodyBytes = length - frames * FRAME_HEADER_BYTES;
    ctx.counters.frameIn(bodyBytes, frames);
    // As flushBatch: replies that can no longer be written are not counted out.
    if (!this.socket.writable) return true;
    writeCopied(this.socket, chunk, 0, length);
    this.handedOut(bodyBytes, frames);
    return true;
  }

  /** Writes the synchronous replies to the chunk just decoded. */
  private flushBatch(): void {
    // framesOut counts replies handed to the socket; those that cannot be written any more are not.
    if (this.closed || !this.socket.writable) {
      batch.discard();
      return;
    }
    batch.flush(this.socket);
    if (batch.replies > 0) this.handedOut(batch.bodyBytes, batch.replies);
  }

  /** An async reply, written as it completes (in request order). */
  private write(reply: Buffer): void {
    if (this.closed || !this.socket.writable) return;
    writeCopied(this.socket, encodeFrame(reply));
    this.handedOut(reply.length);
  }

  /**
   * Counts `frames` replies of `bodyBytes` body bytes as handed to the socket (framesOut), then closes
   * the connection if its unsent output passed the hard limit (counted).
   */
  private handedOut(bodyBytes: number, frames = 1): void {
    this.ctx.counters.frameOut(bodyBytes, frames);
    if (queuedBytes(this.socket) > this.ctx.hardBytes) {
      this.ctx.counters.backpressureClose();
      this.closed = true;
      this.socket.destroy();
    }
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (isC1mError(err)) this.ctx.counters.protocolError(err.code);
    // RST: the peer broke the protocol, nothing more is owed to it.
    this.socket.resetAndDestroy();
    this.wake();
  }
}
