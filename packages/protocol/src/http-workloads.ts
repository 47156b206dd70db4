// The HTTP transport's workloads (README sections 1.3 and 3.4-3.6): what the body of each 200 response is, and
// how a client checks it. A GET carries no body, so these replies depend on the server's flags only.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { fillIoPattern } from './workloads.ts';

export const HTTP_WORKLOADS = ['static', 'aes', 'sleep'] as const;
export type HttpWorkload = (typeof HTTP_WORKLOADS)[number];

/** Default --body-size: the 1 kB body of the tcpserver cases. */
export const DEFAULT_HTTP_BODY_BYTES = 1024;
/** Default --sleep of the sleep workload, in milliseconds. */
export const DEFAULT_HTTP_SLEEP_MS = 1;
/** The fixed AES-128 key of the aes workload (public on purpose: the client decrypts to check). */
export const HTTP_AES_KEY = Buffer.from('c1m-aes-128-key!', 'latin1');
/** Bytes of the random IV that starts every aes body. */
export const HTTP_AES_IV_BYTES = 16;
/** Largest HTTP request or response head (request line or status line plus headers) c1m accepts. */
export const HTTP_MAX_HEAD_BYTES = 8 * 1024;

/** The static body of `bytes` bytes: byte i is i mod 251, the io pattern from position 0. */
export function staticHttpBody(bytes: number): Buffer {
  const body = Buffer.allocUnsafe(bytes);
  fillIoPattern(body, 0);
  return body;
}

/** Bytes of an aes body whose plaintext has `bytes` bytes: the IV, then PKCS#7-padded blocks. */
export function aesHttpBodyBytes(bytes: number): number {
  return HTTP_AES_IV_BYTES + (Math.floor(bytes / 16) + 1) * 16;
}

/** Encrypts `plain` under HTTP_AES_KEY with a fresh random IV: IV || AES-128-CBC(plain). */
export function aesHttpBody(plain: Buffer): Buffer {
  const out = Buffer.allocUnsafe(aesHttpBodyBytes(plain.length));
  const iv = out.subarray(0, HTTP_AES_IV_BYTES);
  randomFillSync(iv);
  const cipher = createCipheriv('aes-128-cbc', HTTP_AES_KEY, iv);
  const n = cipher.update(plain).copy(out, HTTP_AES_IV_BYTES);
  cipher.final().copy(out, HTTP_AES_IV_BYTES + n);
  return out;
}

/** Bytes of a correct response body of `workload` for --body-size `bytes`. */
export function httpBodyBytes(workload: HttpWorkload, bytes: number): number {
  return workload === 'aes' ? aesHttpBodyBytes(bytes) : bytes;
}

/**
 * True when `body` is a correct 200 body of `workload` with --body-size `bytes`: the static
 * pattern (static, sleep), or an aes body that decrypts with HTTP_AES_KEY to that pattern.
 */
export function isCorrectHttpBody(
  workload: HttpWorkload,
  bytes: number,
  body: Buffer,
  expected = staticHttpBody(bytes),
): boolean {
  if (body.length !== httpBodyBytes(workload, bytes)) return false;
  if (workload !== 'aes') return body.equals(expected);
  try {
    const decipher = createDecipheriv('aes-128-cbc', HTTP_AES_KEY, body.subarray(0, HTTP_AES_IV_BYTES));
    const plain = Buffer.concat([decipher.update(body.subarray(HTTP_AES_IV_BYTES)), decipher.final()]);
    return plain.equals(expected);
  } catch {
    return false; // bad padding: not our ciphertext
  }
}
