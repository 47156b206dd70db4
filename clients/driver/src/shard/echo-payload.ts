// The payload of an echo request after its 12-byte body header: byte i of the payload of seq s is
// (s + i) & 0xff, as makeBody writes it, so it depends only on s & 0xff and its length. Written into
// frames and checked in replies here, in JS for short payloads (a native copy or compare costs more
// per call than a short loop) and four bytes at a time where a reply lies 4-aligned in the buffer
// that replies are read into.

/** Payloads up to this length are filled and compared in JS; longer ones by Buffer#copy and #compare. */
const JS_MAX_BYTES = 256;

/** The echo payload pattern of one shard's requests, whose payloads are at most `largest` bytes. */
export class EchoPayload {
  /** pattern[i] = i & 0xff: the payload that starts with value v is pattern[v ...]. */
  private readonly pattern: Buffer;
  /** words[v]: the native-endian u32 of the four pattern bytes from value v (v < 256). */
  private readonly words = new Uint32Array(256);
  /** The buffer replies are read into, and a u32 view of it (null when it is not 4-aligned). */
  private readBuffer: Buffer | null = null;
  private readWords: Uint32Array | null = null;

  constructor(largest: number) {
    this.pattern = Buffer.allocUnsafe(largest + 256);
    for (let i = 0; i < this.pattern.length; i++) this.pattern[i] = i & 0xff;
    const bytes = new Uint8Array(this.words.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = ((i >> 2) + (i & 3)) & 0xff;
  }

  /** Replies read into `buffer` (the shard's read buffer) are compared four bytes at a time. */
  useReadBuffer(buffer: Buffer): void {
    this.readBuffer = buffer;
    this.readWords =
      buffer.byteOffset % 4 === 0 ? new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.length >>> 2) : null;
  }

  /** Writes the `length` payload bytes that start with value `from` (0–255) into `target` at `at`. */
  fill(target: Buffer, at: number, length: number, from: number): void {
    if (length > JS_MAX_BYTES) {
      this.pattern.copy(target, at, from, from + length);
      return;
    }
    for (let i = at, v = from, end = at + length; i < end; i++, v++) target[i] = v & 0xff;
  }

  /** True when `bytes[at, end)` is the payload that starts with value `from` (0–255). */
  matches(bytes: Buffer, at: number, end: number, from: number): boolean {
    if (end - at > JS_MAX_BYTES) return bytes.compare(this.pattern, from, from + end - at, at, end) === 0;
    let i = at;
    let v = from;
    const readWords = this.readWords;
    if (bytes === this.readBuffer && readWords !== null && (i & 3) === 0) {
      const words = this.words;
      for (; i + 4 <= end; i += 4, v += 4) {
        if (readWords[i >>> 2] !== words[v & 0xff]) return false;
      }
    }
    for (; i < end; i++, v++) {
      if (bytes[i] !== (v & 0xff)) return false;
    }
    return true;
  }
}
