// TCP framing of wire protocol v1: each frame is a u32 big-endian body length, then the body.
// The decoder streams: frames split across chunks are reassembled into one buffer sized to the
// frame, frames that arrive whole inside a chunk are handed out as views (no copy), and the
// declared length is checked against maxFrameBytes before any byte of the body is buffered.
import { readU32BE, writeU32BE } from './big-endian.ts';
import { C1mError } from './errors.ts';

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Default largest body a server accepts (1 MiB), overridden by --max-frame. */
export const DEFAULT_MAX_FRAME = 1024 * 1024;

/** Returns one buffer holding the length prefix and the body. */
export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/** Writes the 4-byte length prefix for a body of `length` bytes into `target` at `offset`. */
export function writeFrameHeader(target: Buffer, offset: number, length: number): void {
  writeU32BE(target, offset, length);
}

/**
 * How many frames `chunk[0, end)` holds when it is a run of whole frames, each body at most
 * `maxFrameBytes`; -1 when it is not (a frame cut at the end, or one too large: the decoder then
 * reassembles or rejects it). Lets an echo answer such a chunk with its own bytes, undecoded.
 */
export function countWholeFrames(chunk: Uint8Array, end: number, maxFrameBytes: number): number {
  let pos = 0;
  let frames = 0;
  while (pos < end) {
    if (end - pos < FRAME_HEADER_BYTES) return -1;
    const length = readU32BE(chunk, pos);
    if (length > maxFrameBytes) return -1;
    pos += FRAME_HEADER_BYTES + length;
    frames++;
  }
  return pos === end ? frames : -1;
}

/**
 * Streaming frame decoder. `push` each received chunk; `onFrame` is called once per complete
 * body, in order. A body handed to `onFrame` may be a view into the chunk: copy it if it must
 * outlive the callback. Throws C1mError('C1M_FRAME_TOO_LARGE') when a declared length exceeds
 * `maxFrameBytes`; the decoder is then unusable (the connection should be closed).
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly onFrame: (body: Buffer) => void;
  /**
   * Up to 3 bytes of a length prefix that was split across chunks. Allocated only while a prefix
   * is actually split: servers hold one decoder per connection, and most never see a split prefix.
   */
  private headerBytes: Buffer | null = null;
  private headerHave = 0;
  /** Body being reassembled across chunks, null when between frames. */
  private partial: Buffer | null = null;
  private partialHave = 0;
  private failed = false;

  constructor(maxFrameBytes: number, onFrame: (body: Buffer) => void) {
    this.maxFrameBytes = maxFrameBytes;
    this.onFrame = onFrame;
  }

  /** Bytes held for an incomplete frame (header or body): bounded by 4 + maxFrameBytes. */
  get bufferedBytes(): number {
    return this.headerHave + (this.partial ? this.partialHave : 0);
  }

  /** True when no partial frame is pending. */
  get idle(): boolean {
    return this.headerHave === 0 && this.partial === null;
  }

  push(chunk: Buffer): void {
    if (this.failed) throw new C1mError('C1M_FRAME_TOO_LARGE', 'decoder used after a fatal error');
    let pos = 0;
    const end = chunk.length;
    if (this.partial !== null) pos = this.fillPartial(chunk, 0);
    else if (this.headerHave > 0) pos = this.fillHeader(chunk, 0);
    while (pos < end) {
      if (end - pos < FRAME_HEADER_BYTES) {
        this.headerBytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
        chunk.copy(this.headerBytes, 0, pos, end);
        this.headerHave = end - pos;
        return;
      }
      const length = readU32BE(chunk, pos);
      this.checkLength(length);
      const bodyStart = pos + FRAME_HEADER_BYTES;
      if (end - bodyStart >= length) {
        this.onFrame(chunk.subarray(bodyStart, bodyStart + length));
        pos = bodyStart + length;
      } else {
        this.partial = Buffer.allocUnsafe(length);
        this.partialHave = 0;
        pos = this.fillPartial(chunk, bodyStart);
      }
    }
  }

  private fillHeader(chunk: Buffer, pos: number): number {
    const headerBytes = this.headerBytes as Buffer;
    const take = Math.min(FRAME_HEADER_BYTES - this.headerHave, chunk.length - pos);
    chunk.copy(headerBytes, this.headerHave, pos, pos + take);
    this.headerHave += take;
    pos += take;
    if (this.headerHave < FRAME_HEADER_BYTES) return pos;
    this.headerHave = 0;
    this.headerBytes = null;
    const length = headerBytes.readUInt32BE(0);
    this.checkLength(length);
    this.partial = Buffer.allocUnsafe(length);
    this.partialHave = 0;
    return this.fillPartial(chunk, pos);
  }

  private fillPartial(chunk: Buffer, pos: number): number {
    const partial = this.partial as Buffer;
    const take = Math.min(partial.length - this.partialHave, chunk.length - pos);
    chunk.copy(partial, this.partialHave, pos, pos + take);
    this.partialHave += take;
    pos += take;
    if (this.partialHave === partial.length) {
      this.partial = null;
      this.partialHave = 0;
      this.onFrame(partial);
    }
    return pos;
  }

  private checkLength(length: number): void {
    if (length > this.maxFrameBytes) {
      this.failed = true;
      throw new C1mError('C1M_FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
    }
  }
}
