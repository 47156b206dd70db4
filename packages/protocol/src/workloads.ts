// What a server computes for each body, and how a client checks the reply. See README.md
// ("Workloads") for the normative definitions; this file is their reference implementation.
import { createHash } from 'node:crypto';
import { BODY_HEADER_BYTES } from './body.ts';
import { C1mError } from './errors.ts';

export const WORKLOADS = ['echo', 'cpu', 'io'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Default SHA-256 rounds of the cpu workload. */
export const DEFAULT_CPU_ROUNDS = 1;
/** Bytes of a cpu reply: the 12-byte header and one SHA-256 digest. */
export const CPU_REPLY_BYTES = BODY_HEADER_BYTES + 32;
/** Bytes an io request carries after the header: u32 offset, u32 length. */
export const IO_REQUEST_BYTES = BODY_HEADER_BYTES + 8;
/** Largest io read a server accepts by default. */
export const DEFAULT_IO_MAX_READ = 64 * 1024;
/** The io pattern's period: byte at position p of the data is p mod 251. */
export const IO_PATTERN_PERIOD = 251;

/** Throws C1M_BODY_TOO_SHORT unless the body holds at least `min` bytes. */
export function requireBodyBytes(body: Uint8Array, min: number, workload: Workload): void {
  if (body.length < min) {
    throw new C1mError('C1M_BODY_TOO_SHORT', `${workload} body of ${body.length} bytes is shorter than ${min}`);
  }
}

/** cpu reply: header, then SHA-256 applied `rounds` times starting from the payload. */
export function cpuReply(body: Uint8Array, rounds: number): Buffer {
  requireBodyBytes(body, BODY_HEADER_BYTES, 'cpu');
  let digest = createHash('sha256').update(body.subarray(BODY_HEADER_BYTES)).digest();
  for (let i = 1; i < rounds; i++) digest = createHash('sha256').update(digest).digest();
  const reply = Buffer.allocUnsafe(CPU_REPLY_BYTES);
  reply.set(body.subarray(0, BODY_HEADER_BYTES), 0);
  reply.set(digest, BODY_HEADER_BYTES);
  return reply;
}

/** The byte at position `p` of the io data (p may exceed the file size: the pattern is periodic). */
export function ioPatternByte(p: number): number {
  return p % IO_PATTERN_PERIOD;
}

/** Fills `target` with the io pattern starting at data position `offset`. */
export function fillIoPattern(target: Uint8Array, offset: number): void {
  let v = offset % IO_PATTERN_PERIOD;
  for (let i = 0; i < target.length; i++) {
    target[i] = v;
    v = v + 1 === IO_PATTERN_PERIOD ? 0 : v + 1;
  }
}

/** Decoded io request: read `length` bytes of the data starting at `offset`. */
export interface IoRequest {
  offset: number;
  length: number;
}

/** Parses an io request body, checking length against `maxRead`. */
export function parseIoRequest(body: Buffer, maxRead: number): IoRequest {
  requireBodyBytes(body, IO_REQUEST_BYTES, 'io');
  const offset = body.readUInt32BE(BODY_HEADER_BYTES);
  const length = body.readUInt32BE(BODY_HEADER_BYTES + 4);
  if (length > maxRead)
    throw new C1mError('C1M_IO_RANGE', `io read of ${length} bytes exceeds the limit of ${maxRead}`);
  return { offset, length };
}

/** Builds an io request body. */
export function makeIoRequest(seq: number, sendTime: bigint, offset: number, length: number): Buffer {
  const body = Buffer.allocUnsafe(IO_REQUEST_BYTES);
  body.writeUInt32BE(seq >>> 0, 0);
  body.writeBigUInt64BE(sendTime, 4);
  body.writeUInt32BE(offset >>> 0, BODY_HEADER_BYTES);
  body.writeUInt32BE(length >>> 0, BODY_HEADER_BYTES + 4);
  return body;
}

/** Options that change what a correct reply is. */
export interface WorkloadParams {
  cpuRounds: number;
}

/**
 * True when `reply` is the correct reply to `request` under `workload`. Used by the load
 * generator on every reply and by the conformance suite.
 */
export function isCorrectReply(workload: Workload, request: Buffer, reply: Buffer, params: WorkloadParams): boolean {
  switch (workload) {
    case 'echo':
      return request.equals(reply);
    case 'cpu':
      // A request too short for the cpu workload has no correct reply (the server must close).
      return (
        request.length >= BODY_HEADER_BYTES &&
        reply.length === CPU_REPLY_BYTES &&
        cpuReply(request, params.cpuRounds).equals(reply)
      );
    case 'io': {
      if (request.length < IO_REQUEST_BYTES) return false;
      const offset = request.readUInt32BE(BODY_HEADER_BYTES);
      const length = request.readUInt32BE(BODY_HEADER_BYTES + 4);
      if (reply.length !== BODY_HEADER_BYTES + length) return false;
      if (!reply.subarray(0, BODY_HEADER_BYTES).equals(request.subarray(0, BODY_HEADER_BYTES))) return false;
      let v = offset % IO_PATTERN_PERIOD;
      for (let i = BODY_HEADER_BYTES; i < reply.length; i++) {
        if (reply[i] !== v) return false;
        v = v + 1 === IO_PATTERN_PERIOD ? 0 : v + 1;
      }
      return true;
    }
  }
}
