// The body every workload shares: bytes 0-3 seq (u32 BE), bytes 4-11 the client's send time
// (u64 BE, opaque to servers), then the payload.
import { readU32BE, writeU32BE } from './big-endian.ts';

/** Bytes of the seq + send-time header. */
export const BODY_HEADER_BYTES = 12;

/**
 * Writes seq and send time (a bigint or a non-negative number, floored) into a body that starts
 * at `offset` of `target`. A number is written as two u32 halves: no BigInt on the send path.
 */
export function writeBodyHeader(target: Buffer, seq: number, sendTime: bigint | number, offset = 0): void {
  writeU32BE(target, offset, seq >>> 0);
  if (typeof sendTime === 'bigint') {
    target.writeBigUInt64BE(sendTime, offset + 4);
    return;
  }
  const t = Math.floor(sendTime);
  const high = Math.floor(t / 0x100000000);
  writeU32BE(target, offset + 4, high);
  writeU32BE(target, offset + 8, t - high * 0x100000000);
}

/**
 * True when the body at `at` of `bytes` starts with the header writeBodyHeader writes for `seq`
 * and `sendTime` (a number). The caller guarantees BODY_HEADER_BYTES from `at`.
 */
export function hasBodyHeader(bytes: Uint8Array, seq: number, sendTime: number, at = 0): boolean {
  const t = Math.floor(sendTime);
  const high = Math.floor(t / 0x100000000);
  return (
    readU32BE(bytes, at) === seq >>> 0 &&
    readU32BE(bytes, at + 4) === high &&
    readU32BE(bytes, at + 8) === t - high * 0x100000000
  );
}

/** Allocates a body of header + payloadBytes, filling the payload with a seq-dependent pattern. */
export function makeBody(seq: number, sendTime: bigint | number, payloadBytes: number): Buffer {
  const body = Buffer.allocUnsafe(BODY_HEADER_BYTES + payloadBytes);
  writeBodyHeader(body, seq, sendTime);
  for (let i = 0; i < payloadBytes; i++) body[BODY_HEADER_BYTES + i] = (seq + i) & 0xff;
  return body;
}

/** Reads the seq of a body of at least 4 bytes. */
export function readSeq(body: Uint8Array): number {
  return readU32BE(body, 0);
}

/** Reads the send time of a body of at least 12 bytes. */
export function readSendTime(body: Buffer): bigint {
  return body.readBigUInt64BE(4);
}
