// Property test of the server-side TCP decoding: random byte streams, split anywhere, give the
// same frames and the same verdict as the stream pushed whole; the only error is the counted
// C1M_FRAME_TOO_LARGE; and what is held for an incomplete frame never exceeds 4 + maxFrame.
// Replay a failure with C1M_FUZZ_SEED=<seed printed by fast-check>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, isC1mError } from '@c1m/protocol';
import { fuzzSeed } from '../src/conformance/fuzz-seed.ts';

const MAX_FRAME = 4096;

/** What a decoder made of a stream: the frames out, and the error code it stopped with, if any. */
function decode(chunks: Uint8Array[]): { frames: string[]; error: string | undefined; maxHeld: number } {
  const frames: string[] = [];
  const decoder = new FrameDecoder(MAX_FRAME, (b) => frames.push(Buffer.from(b).toString('hex')));
  let maxHeld = 0;
  for (const chunk of chunks) {
    try {
      decoder.push(Buffer.from(chunk));
    } catch (err) {
      if (!isC1mError(err)) throw err;
      return { frames, error: err.code, maxHeld };
    }
    maxHeld = Math.max(maxHeld, decoder.bufferedBytes);
  }
  return { frames, error: undefined, maxHeld };
}

/** Streams: pure noise, valid frames with noise after them, and valid frames with one byte changed. */
const stream = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc
    .tuple(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.uint8Array({ maxLength: 64 }))
    .map(([bodies, tail]) => Buffer.concat([...bodies.map((b) => encodeFrame(b)), tail])),
  fc
    .tuple(
      fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
    )
    .map(([bodies, at, flip]) => {
      const bytes = Buffer.concat(bodies.map((b) => encodeFrame(b)));
      if (bytes.length > 0) bytes[at % bytes.length]! ^= flip;
      return bytes;
    }),
);

/** Cut points anywhere, down to one-byte chunks. */
const cuts = fc.array(fc.nat(), { maxLength: 64 });

function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...sorted, bytes.length]) {
    chunks.push(bytes.slice(from, p));
    from = p;
  }
  return chunks;
}

describe('server-side TCP decoding of random streams', () => {
  it(
    'split anywhere, decodes exactly as whole; fails only ' + 'with C1M_FRAME_TOO_LARGE; holds at most 4 + maxFrame',
    () => {
      fc.assert(
        fc.property(stream, cuts, (bytes, points) => {
          const whole = decode([bytes]);
          const split = decode(splitAt(bytes, points));
          expect(split.frames).toEqual(whole.frames);
          expect(split.error).toBe(whole.error);
          expect([undefined, 'C1M_FRAME_TOO_LARGE']).toContain(split.error);
          expect(split.maxHeld).toBeLessThanOrEqual(4 + MAX_FRAME);
        }),
        { seed: fuzzSeed(), numRuns: 2000, interruptAfterTimeLimit: 4000 },
      );
    },
  );
});
