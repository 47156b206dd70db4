// Structured little messages in the spirit of go-packetconn: a growable writer and a bounds-checked
// reader of big-endian integers, raw bytes and u16-length-prefixed UTF-8 strings. Every failure is
// a C1mError with a code, so a malformed packet from the network is counted, never a crash.
import { C1mError } from './errors.ts';

/** Longest string (in UTF-8 bytes) a u16 length prefix can describe. */
export const MAX_PACKET_STRING_BYTES = 0xffff;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function outOfRange(message: string): never {
  throw new C1mError('C1M_PACKET_OUT_OF_RANGE', message);
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) outOfRange(`${what} value ${value} is outside 0..${max}`);
}

/**
 * Builds a packet field by field. Integers are big-endian and range-checked; the buffer grows by
 * doubling. `finish()` hands out the bytes written and starts a fresh packet.
 */
export class PacketWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 64) {
    this.buf = Buffer.allocUnsafe(Math.max(1, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /**
   * Makes room for `n` more bytes and returns the offset to write them at. It may replace
   * `this.buf`, so callers read `this.buf` only after calling it.
   */
  private reserve(n: number): number {
    const at = this.pos;
    const need = at + n;
    if (need > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.pos = need;
    return at;
  }

  u8(value: number): this {
    checkUint(value, 0xff, 'u8');
    const at = this.reserve(1);
    this.buf[at] = value;
    return this;
  }

  u16(value: number): this {
    checkUint(value, 0xffff, 'u16');
    const at = this.reserve(2);
    this.buf.writeUInt16BE(value, at);
    return this;
  }

  u32(value: number): this {
    checkUint(value, 0xffffffff, 'u32');
    const at = this.reserve(4);
    this.buf.writeUInt32BE(value, at);
    return this;
  }

  u64(value: bigint): this {
    if (typeof value !== 'bigint' || value < 0n || value > 0xffffffffffffffffn) outOfRange(`u64 value ${value} is outside 0..2^64-1`);
    const at = this.reserve(8);
    this.buf.writeBigUInt64BE(value, at);
    return this;
  }

  /** Raw bytes, no length prefix (the reader must know how many to take). */
  bytes(value: Uint8Array): this {
    const at = this.reserve(value.length);
    this.buf.set(value, at);
    return this;
  }

  /** A UTF-8 string after a u16 BE byte length; throws when it encodes to more than 65535 bytes. */
  string(value: string): this {
    const n = Buffer.byteLength(value, 'utf8');
    if (n > MAX_PACKET_STRING_BYTES) outOfRange(`string of ${n} UTF-8 bytes exceeds ${MAX_PACKET_STRING_BYTES}`);
    const at = this.reserve(2 + n);
    this.buf.writeUInt16BE(n, at);
    this.buf.write(value, at + 2, n, 'utf8');
    return this;
  }

  /** The packet written so far; the writer then starts an empty packet in a new buffer. */
  finish(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(64, this.pos));
    this.pos = 0;
    return out;
  }
}

/**
 * Reads a packet field by field from the front. A read past the end throws
 * C1mError('C1M_PACKET_OUT_OF_RANGE') without moving the cursor; an invalid UTF-8 string throws
 * C1mError('C1M_PACKET_INVALID_UTF8').
 */
export class PacketReader {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Claims `n` bytes and returns where they start. */
  private take(n: number, what: string): number {
    if (n > this.buf.length - this.pos) {
      outOfRange(`${what} needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} remain`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.buf[this.take(1, 'u8')]!;
  }

  u16(): number {
    return this.buf.readUInt16BE(this.take(2, 'u16'));
  }

  u32(): number {
    return this.buf.readUInt32BE(this.take(4, 'u32'));
  }

  u64(): bigint {
    return this.buf.readBigUInt64BE(this.take(8, 'u64'));
  }

  /** The next `n` raw bytes, as a view of the packet (no copy). */
  bytes(n: number): Buffer {
    if (!Number.isInteger(n) || n < 0) outOfRange(`invalid byte count ${n}`);
    const at = this.take(n, 'bytes');
    return this.buf.subarray(at, at + n);
  }

  /** Everything not yet read, as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** A u16-length-prefixed UTF-8 string. */
  string(): string {
    const start = this.pos;
    const n = this.u16();
    if (n > this.remaining) {
      const remain = this.remaining;
      this.pos = start;
      outOfRange(`string of ${n} bytes at offset ${start + 2}, only ${remain} remain`);
    }
    const at = this.take(n, 'string');
    try {
      return strictUtf8.decode(this.buf.subarray(at, at + n));
    } catch {
      this.pos = start;
      throw new C1mError('C1M_PACKET_INVALID_UTF8', `string at offset ${at} is not valid UTF-8`);
    }
  }

  /** Throws C1M_PACKET_OUT_OF_RANGE unless every byte was read (catches trailing garbage). */
  end(): void {
    if (this.pos !== this.buf.length) outOfRange(`${this.buf.length - this.pos} unread bytes at offset ${this.pos}`);
  }
}
