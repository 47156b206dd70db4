// The body every workload shares: bytes 0-3 seq (u32 BE), bytes 4-11 the client's send time
// (u64 BE, opaque to servers), then the payload.

/** Bytes of the seq + send-time header. */
export const BODY_HEADER_BYTES = 12;

/**
 * Writes seq and send time (a bigint or a non-negative number, floored) into a body that starts
 * at `offset` of `target`. A number is written as two u32 halves: no BigInt on the send path.
 */
export function writeBodyHeader(target: Buffer, seq: number, sendTime: bigint | number, offset = 0): void {
  target.writeUInt32BE(seq >>> 0, offset);
  if (typeof sendTime === 'bigint') {
    target.writeBigUInt64BE(sendTime, offset + 4);
    return;
  }
  const t = Math.floor(sendTime);
  const high = Math.floor(t / 0x100000000);
  target.writeUInt32BE(high, offset + 4);
  target.writeUInt32BE(t - high * 0x100000000, offset + 8);
}

/** True when `body` starts with the header writeBodyHeader writes for `seq` and `sendTime` (a number). */
export function hasBodyHeader(body: Buffer, seq: number, sendTime: number): boolean {
  const t = Math.floor(sendTime);
  const high = Math.floor(t / 0x100000000);
  return (
    body.readUInt32BE(0) === seq >>> 0 &&
    body.readUInt32BE(4) === high &&
    body.readUInt32BE(8) === t - high * 0x100000000
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
  return ((body[0]! << 24) | (body[1]! << 16) | (body[2]! << 8) | body[3]!) >>> 0;
}

/** Reads the send time of a body of at least 12 bytes. */
export function readSendTime(body: Buffer): bigint {
  return body.readBigUInt64BE(4);
}
