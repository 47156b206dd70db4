// TCP framing: encodeFrame/FrameDecoder round trips under arbitrary chunking, zero-copy delivery
// of whole frames, and every malformed input.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { countWholeFrames, DEFAULT_MAX_FRAME, FrameDecoder, encodeFrame, writeFrameHeader } from '../src/index.ts';
import { cutPoints, splitAt } from './chunking.ts';
import { codeOf } from './code-of.ts';

/** Bodies of mixed sizes, weighted towards the interesting small ones (0 bytes, under 12 bytes). */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 11 }),
  fc.uint8Array({ minLength: 12, maxLength: 64 }),
  fc.uint8Array({ maxLength: 3000 }),
);

function decodeAll(chunks: Buffer[], maxFrameBytes = DEFAULT_MAX_FRAME): Buffer[] {
  const out: Buffer[] = [];
  const decoder = new FrameDecoder(maxFrameBytes, (b) => out.push(Buffer.from(b)));
  for (const c of chunks) decoder.push(c);
  expect(decoder.idle).toBe(true);
  expect(decoder.bufferedBytes).toBe(0);
  return out;
}

describe('encodeFrame', () => {
  test('is a u32 BE length followed by the body', () => {
    expect(encodeFrame(Buffer.from('abc')).toString('hex')).toBe('00000003616263');
    expect(encodeFrame(Buffer.alloc(0)).toString('hex')).toBe('00000000');
    const target = Buffer.alloc(6);
    writeFrameHeader(target, 2, 0x01020304);
    expect(target.toString('hex')).toBe('000001020304');
  });
});

describe('FrameDecoder', () => {
  test('many frames, split at arbitrary points, come out byte-identical and in order', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 30 }), cutPoints, (bodies, cuts) => {
        const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
        const out = decodeAll(splitAt(stream, cuts));
        expect(out.map((b) => b.toString('hex'))).toEqual(bodies.map((b) => Buffer.from(b).toString('hex')));
      }),
      { numRuns: 300 },
    );
  });

  test('one byte at a time works for 0-length, short and long bodies', () => {
    const bodies = [
      Buffer.alloc(0),
      Buffer.from([7]),
      Buffer.alloc(11, 1),
      Buffer.alloc(12, 2),
      Buffer.alloc(70000, 3),
    ];
    const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(decodeAll(chunks)).toEqual(bodies);
  });

  test('a frame that arrives whole inside a chunk is a view of that chunk, not a copy', () => {
    const chunk = Buffer.concat([encodeFrame(Buffer.from('one')), encodeFrame(Buffer.from('two'))]);
    const seen: Buffer[] = [];
    new FrameDecoder(100, (b) => seen.push(b)).push(chunk);
    expect(seen.map((b) => b.buffer === chunk.buffer)).toEqual([true, true]);
    expect(seen[1]!.byteOffset).toBe(chunk.byteOffset + 7 + 4);
  });

  test('bufferedBytes reports a pending split frame and is bounded by its length', () => {
    const decoder = new FrameDecoder(100, () => {});
    const frame = encodeFrame(Buffer.alloc(50, 9));
    decoder.push(frame.subarray(0, 2));
    expect(decoder.bufferedBytes).toBe(2);
    expect(decoder.idle).toBe(false);
    decoder.push(frame.subarray(2, 20));
    expect(decoder.bufferedBytes).toBe(16);
    decoder.push(frame.subarray(20));
    expect(decoder.idle).toBe(true);
  });

  test('a body exactly at maxFrameBytes is accepted', () => {
    expect(decodeAll([encodeFrame(Buffer.alloc(64, 1))], 64)).toHaveLength(1);
  });

  test('a length above maxFrameBytes throws C1M_FRAME_TOO_LARGE before any body byte is buffered', () => {
    const decoder = new FrameDecoder(64, () => {});
    const header = Buffer.alloc(4);
    header.writeUInt32BE(65, 0);
    expect(codeOf(() => decoder.push(header))).toBe('C1M_FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('an oversized length whose header is split across chunks is caught once it completes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1025, max: 0xffffffff }), (split, length) => {
        const frames: Buffer[] = [];
        const decoder = new FrameDecoder(1024, (b) => frames.push(b));
        const header = Buffer.alloc(4);
        header.writeUInt32BE(length, 0);
        decoder.push(Buffer.concat([encodeFrame(Buffer.from('ok')), header.subarray(0, split)]));
        expect(frames).toHaveLength(1);
        expect(codeOf(() => decoder.push(header.subarray(split)))).toBe('C1M_FRAME_TOO_LARGE');
      }),
    );
  });

  test('frames before an oversized one in the same chunk are delivered first', () => {
    const frames: Buffer[] = [];
    const decoder = new FrameDecoder(8, (b) => frames.push(b));
    const bad = Buffer.alloc(4);
    bad.writeUInt32BE(9, 0);
    expect(codeOf(() => decoder.push(Buffer.concat([encodeFrame(Buffer.from('a')), bad])))).toBe('C1M_FRAME_TOO_LARGE');
    expect(frames.map(String)).toEqual(['a']);
  });

  test('a decoder that failed refuses further input, even valid frames', () => {
    const decoder = new FrameDecoder(8, () => {});
    expect(codeOf(() => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xff])))).toBe('C1M_FRAME_TOO_LARGE');
    expect(codeOf(() => decoder.push(encodeFrame(Buffer.from('x'))))).toBe('C1M_FRAME_TOO_LARGE');
  });

  test('an empty chunk changes nothing', () => {
    const out: Buffer[] = [];
    const decoder = new FrameDecoder(8, (b) => out.push(b));
    decoder.push(Buffer.alloc(0));
    decoder.push(Buffer.from([0, 0]));
    decoder.push(Buffer.alloc(0));
    decoder.push(Buffer.from([0, 1, 0x41]));
    expect(out.map(String)).toEqual(['A']);
  });
});

describe('countWholeFrames', () => {
  test('counts a run of whole frames, and only a run of whole frames within the limit', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 20 }), fc.nat(), (bodies, cutSeed) => {
        const wire = Buffer.concat(bodies.map((b) => encodeFrame(b)));
        expect(countWholeFrames(wire, wire.length, DEFAULT_MAX_FRAME)).toBe(bodies.length);
        // Read from a larger buffer (a shared read buffer): only the first `end` bytes count.
        const padded = Buffer.concat([wire, Buffer.from([0, 0, 0])]);
        expect(countWholeFrames(padded, wire.length, DEFAULT_MAX_FRAME)).toBe(bodies.length);
        if (wire.length === 0) return;
        // Cut anywhere but at a frame boundary: not a run of whole frames.
        const boundaries = new Set<number>();
        let at = 0;
        for (const b of bodies) boundaries.add((at += 4 + b.length));
        const cut = 1 + (cutSeed % wire.length);
        if (!boundaries.has(cut)) expect(countWholeFrames(wire, cut, DEFAULT_MAX_FRAME)).toBe(-1);
      }),
    );
  });

  test('refuses a chunk holding a frame over the limit, whole or not', () => {
    const wire = Buffer.concat([encodeFrame(Buffer.alloc(8)), encodeFrame(Buffer.alloc(20))]);
    expect(countWholeFrames(wire, wire.length, 20)).toBe(2);
    expect(countWholeFrames(wire, wire.length, 19)).toBe(-1);
    expect(countWholeFrames(wire, 3, 20)).toBe(-1);
  });
});
