// Requests for whichever workload a server serves, and a seeded random source so a failing
// conformance run can be replayed.
import { onTestFailed } from 'vitest';
import { BODY_HEADER_BYTES, makeIoRequest, writeBodyHeader, type Workload } from '@c1m/protocol';

/** Replays a randomised test: `C1M_TEST_SEED=<seed printed by the failure>`. */
export const SEED_ENV = 'C1M_TEST_SEED';

/**
 * The seed of a randomised test: from C1M_TEST_SEED, or the clock. Call inside the test: on any
 * failure of it the seed is printed with how to replay it.
 */
export function testSeed(): number {
  const given = process.env[SEED_ENV];
  const seed = given !== undefined && /^\d+$/.test(given) ? Number(given) >>> 0 : Date.now() >>> 0;
  onTestFailed(() => {
    process.stderr.write(`random seed ${seed}: replay with ${SEED_ENV}=${seed}\n`);
  });
  return seed;
}

/** Deterministic PRNG (mulberry32): the seed is printed by the suite. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A request of about `size` bytes for the workload (echo: exactly `size`, any length from 0). */
export function makeRequest(workload: Workload, seq: number, size: number, random: () => number): Buffer {
  if (workload === 'io') {
    return makeIoRequest(seq, BigInt(seq) * 1000n, Math.floor(random() * 0xffffffff), Math.min(size, 65_536));
  }
  const bytes = workload === 'cpu' ? Math.max(size, BODY_HEADER_BYTES) : size;
  const body = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) body[i] = Math.floor(random() * 256);
  if (bytes >= BODY_HEADER_BYTES) writeBodyHeader(body, seq, BigInt(seq));
  return body;
}
