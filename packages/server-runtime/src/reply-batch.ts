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
  /** Replies in order: a [start, end) range of the chunk (echoed as is), or a body to frame. */
  private readonly segments: Array<Buffer | number> = [];
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
    this.segments.length = 0;
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
    this.segments.push(body);
    this.wireBytes += FRAME_HEADER_BYTES + body.length;
    this.replies++;
    this.bodyBytes += body.length;
  }

  /**
   * Writes what was collected (if anything) with one write and forgets the chunk; `replies`
   * and `bodyBytes` keep telling what was written until the next begin().
   */
  flush(socket: Socket): void {
    this.closeRange();
    const chunk = this.chunk as Buffer;
    const segments = this.segments;
    this.chunk = null;
    if (segments.length === 0) return;
    if (segments.length === 2 && typeof segments[1] === 'number') {
      // One range: every reply was the echo of a whole frame of this chunk.
      const start = segments[0] as number;
      const end = segments[1];
      writeCopied(socket, chunk, start, end);
      segments.length = 0;
      return;
    }
    const out = Buffer.allocUnsafe(this.wireBytes);
    let at = 0;
    for (let i = 0; i < segments.length; i++) {
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
    segments.length = 0;
    writeCopied(socket, out);
  }

  /** Forgets what was collected (the connection closed while its chunk was decoded). */
  discard(): void {
    this.chunk = null;
    this.replies = 0;
    this.bodyBytes = 0;
    this.segments.length = 0;
    this.rangeStart = -1;
    this.rangeEnd = -1;
  }

  /** Ends the current range of the chunk, if one is open (the next echo starts a new one). */
  private closeRange(): void {
    if (this.rangeStart < 0) return;
    this.segments.push(this.rangeStart, this.rangeEnd);
    this.rangeStart = -1;
    this.rangeEnd = -1;
  }
}
