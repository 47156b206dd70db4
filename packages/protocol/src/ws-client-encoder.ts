// Client-to-server WebSocket frames (RFC 6455 §5.2-5.3): FIN always set (the client never fragments),
// payload masked with a 4-byte key. Mask keys come from a pooled random buffer refilled by one
// randomFillSync call per 1024 frames, because one crypto call per frame would dominate small sends.
import { randomFillSync } from 'node:crypto';
import { OPCODE_CLOSE } from './ws-client-opcodes.ts';

const MASK_POOL_BYTES = 4096;
const maskPool = Buffer.allocUnsafe(MASK_POOL_BYTES);
let maskPoolPos = MASK_POOL_BYTES;

/** Largest payload a single frame can carry here (Buffer and 2^53 limits, far above any real use). */
const MAX_PAYLOAD = Number.MAX_SAFE_INTEGER;

/** Header bytes (2 + extended length + 4 mask bytes) of a masked frame with `payloadLength` bytes. */
export function clientFrameHeaderBytes(payloadLength: number): number {
  if (payloadLength < 126) return 6;
  if (payloadLength < 0x10000) return 8;
  return 14;
}

/** Total bytes of a masked frame with `payloadLength` bytes of payload. */
export function clientFrameBytes(payloadLength: number): number {
  return clientFrameHeaderBytes(payloadLength) + payloadLength;
}

/** Copies 4 fresh random mask bytes into `target` at `offset`. */
function writeRandomMask(target: Uint8Array, offset: number): void {
  if (maskPoolPos === MASK_POOL_BYTES) {
    randomFillSync(maskPool);
    maskPoolPos = 0;
  }
  target[offset] = maskPool[maskPoolPos]!;
  target[offset + 1] = maskPool[maskPoolPos + 1]!;
  target[offset + 2] = maskPool[maskPoolPos + 2]!;
  target[offset + 3] = maskPool[maskPoolPos + 3]!;
  maskPoolPos += 4;
}

/**
 * Writes the header of a masked, FIN-set frame into `target` at `offset` and returns where the
 * payload starts. The mask key is `maskKey` (4 bytes) or random; it is stored in the header, where
 * `maskPayloadInPlace` reads it back.
 */
export function writeClientFrameHeader(
  target: Buffer,
  offset: number,
  opcode: number,
  payloadLength: number,
  maskKey?: Uint8Array,
): number {
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
    throw new RangeError(`invalid payload length ${payloadLength}`);
  }
  target[offset] = 0x80 | (opcode & 0x0f);
  let pos = offset + 2;
  if (payloadLength < 126) {
    target[offset + 1] = 0x80 | payloadLength;
  } else if (payloadLength < 0x10000) {
    target[offset + 1] = 0x80 | 126;
    target.writeUInt16BE(payloadLength, pos);
    pos += 2;
  } else {
    target[offset + 1] = 0x80 | 127;
    target.writeUInt32BE(Math.floor(payloadLength / 0x100000000), pos);
    target.writeUInt32BE(payloadLength >>> 0, pos + 4);
    pos += 8;
  }
  if (maskKey === undefined) writeRandomMask(target, pos);
  else {
    if (maskKey.length < 4) throw new RangeError('a mask key has 4 bytes');
    target[pos] = maskKey[0]!;
    target[pos + 1] = maskKey[1]!;
    target[pos + 2] = maskKey[2]!;
    target[pos + 3] = maskKey[3]!;
  }
  return pos + 4;
}

/**
 * Payloads from this size on are masked a 32-bit word at a time: the typed-array view costs about
 * as much as masking ~128 bytes one by one (measured crossover on Node 20), then wins 2-3x.
 */
const WORD_MASK_MIN_BYTES = 128;
/** The current mask, and a scratch word for turning 4 bytes into a native-endian Int32. */
const maskKeyBytes = new Uint8Array(4);
const maskWordBytes = new Uint8Array(4);
const maskWord = new Int32Array(maskWordBytes.buffer);

/**
 * XORs `target[from..to)` in place with the mask in `maskKeyBytes`, where `from` is payload byte 0.
 * Unaligned head and tail bytes go one by one, the aligned middle as 32-bit words.
 */
function maskRangeInPlace(target: Buffer, from: number, to: number): void {
  const lead = (4 - ((target.byteOffset + from) & 3)) & 3;
  for (let i = 0; i < lead; i++) target[from + i]! ^= maskKeyBytes[i]!;
  const wordsAt = from + lead;
  const words = (to - wordsAt) >> 2;
  // The word starting at payload byte `lead` meets mask bytes lead, lead+1, ... in memory order.
  for (let k = 0; k < 4; k++) maskWordBytes[k] = maskKeyBytes[(lead + k) & 3]!;
  const word = maskWord[0]!;
  const view = new Int32Array(target.buffer, target.byteOffset + wordsAt, words);
  for (let k = 0; k < words; k++) view[k]! ^= word;
  for (let i = wordsAt + words * 4; i < to; i++) target[i]! ^= maskKeyBytes[(i - from) & 3]!;
}

/**
 * XORs `source` with the 4-byte mask `target[maskAt..maskAt+3]` into `target` starting at `to`.
 * `source` may be the very bytes at `to` (in-place masking): each byte is read before it is written.
 */
function maskInto(source: Uint8Array, target: Buffer, to: number, maskAt: number): void {
  const m0 = target[maskAt]!;
  const m1 = target[maskAt + 1]!;
  const m2 = target[maskAt + 2]!;
  const m3 = target[maskAt + 3]!;
  const n = source.length;
  if (n >= WORD_MASK_MIN_BYTES) {
    // memcpy first (a no-op move when masking in place), then XOR words in place.
    target.set(source, to);
    maskKeyBytes[0] = m0;
    maskKeyBytes[1] = m1;
    maskKeyBytes[2] = m2;
    maskKeyBytes[3] = m3;
    maskRangeInPlace(target, to, to + n);
    return;
  }
  let i = 0;
  for (const last = n - 3; i < last; i += 4) {
    target[to + i] = source[i]! ^ m0;
    target[to + i + 1] = source[i + 1]! ^ m1;
    target[to + i + 2] = source[i + 2]! ^ m2;
    target[to + i + 3] = source[i + 3]! ^ m3;
  }
  if (i < n) target[to + i] = source[i]! ^ m0;
  if (i + 1 < n) target[to + i + 1] = source[i + 1]! ^ m1;
  if (i + 2 < n) target[to + i + 2] = source[i + 2]! ^ m2;
}

/**
 * Masks, in place, the `payloadLength` bytes that follow a header written by
 * `writeClientFrameHeader` at `headerOffset`. Lets a caller build the body directly inside the
 * frame buffer and send it without another copy.
 */
export function maskPayloadInPlace(target: Buffer, headerOffset: number, payloadLength: number): void {
  const payloadAt = headerOffset + clientFrameHeaderBytes(payloadLength);
  maskInto(target.subarray(payloadAt, payloadAt + payloadLength), target, payloadAt, payloadAt - 4);
}

/**
 * Writes a complete masked frame (header + masked copy of `payload`) into `target` at `offset` and
 * returns the offset just past it. `target` needs `clientFrameBytes(payload.length)` bytes there.
 * `payload` may already sit at `offset + clientFrameHeaderBytes(payload.length)` inside `target`.
 */
export function encodeClientFrameInto(
  target: Buffer,
  offset: number,
  opcode: number,
  payload: Uint8Array,
  maskKey?: Uint8Array,
): number {
  const payloadAt = writeClientFrameHeader(target, offset, opcode, payload.length, maskKey);
  maskInto(payload, target, payloadAt, payloadAt - 4);
  return payloadAt + payload.length;
}

/**
 * One masked frame with FIN set: opcode (OPCODE_TEXT, OPCODE_BINARY, OPCODE_PING, ...) and
 * `payload`, masked with `maskKey` (4 bytes) or a random key.
 */
export function encodeClientFrame(opcode: number, payload: Uint8Array, maskKey?: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(clientFrameBytes(payload.length));
  encodeClientFrameInto(out, 0, opcode, payload, maskKey);
  return out;
}

/** The payload of a close frame: u16 BE code, then the UTF-8 reason (at most 123 bytes). */
export function encodeClosePayload(code: number, reason = ''): Buffer {
  const reasonBytes = Buffer.from(reason, 'utf8');
  if (reasonBytes.length > 123) throw new RangeError('a close reason holds at most 123 UTF-8 bytes');
  const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return payload;
}

/** A masked close frame carrying `code` and `reason`. */
export function encodeClientClose(code: number, reason = '', maskKey?: Uint8Array): Buffer {
  return encodeClientFrame(OPCODE_CLOSE, encodeClosePayload(code, reason), maskKey);
}
