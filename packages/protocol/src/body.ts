// The body every workload shares: bytes 0-3 seq (u32 BE), bytes 4-11 the client's send time
// (u64 BE, opaque to servers), then the payload.

/** Bytes of the seq + send-time header. */
export const BODY_HEADER_BYTES = 12;

/** Writes seq and send time (a bigint or a non-negative integer number) into a body. */
export function writeBodyHeader(body: Buffer, seq: number, sendTime: bigint | number): void {
  body.writeUInt32BE(seq >>> 0, 0);
  body.writeBigUInt64BE(typeof sendTime === 'bigint' ? sendTime : BigInt(Math.floor(sendTime)), 4);
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
