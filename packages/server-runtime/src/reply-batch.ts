// The replies to the frames of one received chunk, written with one write instead of one per
// frame (each write costs a syscall). An echo reply to a frame that arrived whole is that frame's
// own bytes, so consecutive ones are one range of the chunk, written from it: no encoding. Any
// other reply (computed, or a body reassembled across chunks) is framed into the one buffer the
// batch writes. Replies keep the order of their requests.
import { writeCopied } from '@c1m/net-direct';
import type { Socket } from 'node:net';
import { FRAME_HEADER_BYTES, writeFrameHeader } from '@c1m/protocol';

/**
 * Collects replies between begin(chunk) and flush(socket). Processing a chunk is synchronous, so
 * one batch serves every session of a thread. The chunk may be a reused read buffer: the write
 * copies what the kernel does not take at once (writeCopied).
 */
export class ReplyBatch {
  private chunk: Buffer | null = null;
  /**
   * Replies in order before the open range: a [start, end) range of the chunk (echoed as is), or a
   * body to frame. Only its first `count` entries are live: it is never shortened, because setting an
   * array's length is a call into V8's runtime and the next push then grows it again (both showed in
   * a profile of the tcp echo path, ~2% of the server's CPU, when one ping's reply went through here).
   */
  private readonly segments: Array<Buffer | number | undefined> = [];
  private count = 0;
  /** Bytes of the current range of the chunk, open at its end while echo replies extend it. */
  private rangeStart = -1;
  private rangeEnd = -1;
  /** Wire bytes of all replies so far. */
  private wireBytes = 0;
  /** Replies collected since begin(), and the bytes of their bodies (for the framesOut/bytesOut counters). */
  replies = 0;
  bodyBytes = 0;

  /** Starts collecting the replies to the frames of `chunk`. */
  begin(chunk: Buffer): void {
    this.chunk = chunk;
    this.clearSegments();
    this.rangeStart = -1;
    this.rangeEnd = -1;
    this.wireBytes = 0;
    this.replies = 0;
    this.bodyBytes = 0;
  }

  /** Adds the echo of `body`: the frame's own bytes when it lies whole in the chunk. */
  echo(body: Buffer): void {
    const chunk = this.chunk;
    const start =
      chunk !== null && body.buffer === chunk.buffer ? body.byteOffset - chunk.byteOffset - FRAME_HEADER_BYTES : -1;
    if (start < 0 || start + FRAME_HEADER_BYTES + body.length > chunk!.length) {
      this.reply(body);
      return;
    }
    this.replies++;
    this.bodyBytes += body.length;
    const end = start + FRAME_HEADER_BYTES + body.length;
    if (this.rangeEnd !== start) {
      this.closeRange();
      this.rangeStart = start;
    }
    this.rangeEnd = end;
    this.wireBytes += end - start;
  }

  /** Adds a reply body, to be framed. */
  reply(body: Buffer): void {
    this.closeRange();
    this.segments[this.count++] = body;
    this.wireBytes += FRAME_HEADER_BYTES + body.length;
    this.replies++;
    this.bodyBytes += body.length;
  }

  /**
   * Writes what was collected (if anything) with one write and forgets the chunk; `replies`
   * and `bodyBytes` keep telling what was written until the next begin().
   */
  flush(socket: Socket): void {
    const chunk = this.chunk as Buffer;
    this.chunk = null;
    if (this.count === 0) {
      // Nothing but (at most) the open range: every reply was the echo of a whole frame of this chunk.
      if (this.rangeStart >= 0) writeCopied(socket, chunk, this.rangeStart, this.rangeEnd);
      this.rangeStart = -1;
      this.rangeEnd = -1;
      return;
    }
    this.closeRange();
    const segments = this.segments;
    const out = Buffer.allocUnsafe(this.wireBytes);
    let at = 0;
    for (let i = 0; i < this.count; i++) {
      const segment = segments[i]!;
      if (typeof segment === 'number') {
        const end = segments[++i] as number;
        at += chunk.copy(out, at, segment, end);
      } else {
        writeFrameHeader(out, at, segment.length);
        out.set(segment, at + FRAME_HEADER_BYTES);
        at += FRAME_HEADER_BYTES + segment.length;
      }
    }
    this.clearSegments();
    writeCopied(socket, out);
  }

  /** Forgets what was collected (the connection closed while its chunk was decoded). */
  discard(): void {
    this.chunk = null;
    this.replies = 0;
    this.bodyBytes = 0;
    this.clearSegments();
    this.rangeStart = -1;
    this.rangeEnd = -1;
  }

  /** Ends the current range of the chunk, if one is open (the next echo starts a new one). */
  private closeRange(): void {
    if (this.rangeStart < 0) return;
    this.segments[this.count++] = this.rangeStart;
    this.segments[this.count++] = this.rangeEnd;
    this.rangeStart = -1;
    this.rangeEnd = -1;
  }

  /** Forgets the collected segments, dropping the bodies they held (the numbers are overwritten later). */
  private clearSegments(): void {
    const segments = this.segments;
    for (let i = 0; i < this.count; i++) if (typeof segments[i] !== 'number') segments[i] = undefined;
    this.count = 0;
  }
}
