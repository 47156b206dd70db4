// Workloads: the body header helpers, the cpu reply checked against an independent SHA-256 chain,
// the io pattern and request parsing, and isCorrectReply's verdicts for right and wrong replies.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  BODY_HEADER_BYTES,
  CPU_REPLY_BYTES,
  DEFAULT_IO_MAX_READ,
  cpuReply,
  fillIoPattern,
  ioPatternByte,
  isCorrectReply,
  makeBody,
  makeIoRequest,
  parseIoRequest,
  readSendTime,
  readSeq,
} from '../src/index.ts';
import { codeOf } from './code-of.ts';

/** The cpu reply computed from the definition, step by step, with no code shared with src/. */
function expectedCpuReply(body: Buffer, rounds: number): Buffer {
  let d = createHash('sha256').update(body.subarray(12)).digest();
  for (let k = 2; k <= rounds; k++) d = createHash('sha256').update(d).digest();
  return Buffer.concat([body.subarray(0, 12), d]);
}

/** The io reply computed from the definition: header, then byte (offset + i) mod 251. */
function expectedIoReply(request: Buffer): Buffer {
  const offset = request.readUInt32BE(12);
  const length = request.readUInt32BE(16);
  const data = Buffer.alloc(length);
  for (let i = 0; i < length; i++) data[i] = (offset + i) % 251;
  return Buffer.concat([request.subarray(0, 12), data]);
}

const params = { cpuRounds: 1 };

describe('body header', () => {
  test('seq and send time round-trip through makeBody', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.nat({ max: 100 }),
        (seq, t, n) => {
          const body = makeBody(seq, t, n);
          expect(body.length).toBe(BODY_HEADER_BYTES + n);
          expect(readSeq(body)).toBe(seq);
          expect(readSendTime(body)).toBe(t);
        },
      ),
    );
  });
});

describe('cpu workload', () => {
  test('reply is the header plus a SHA-256 chain of the payload, for 1..5 rounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 500 }), fc.integer({ min: 1, max: 5 }), (bytes, rounds) => {
        const body = Buffer.from(bytes);
        const reply = cpuReply(body, rounds);
        expect(reply.length).toBe(CPU_REPLY_BYTES);
        expect(reply.toString('hex')).toBe(expectedCpuReply(body, rounds).toString('hex'));
        expect(isCorrectReply('cpu', body, reply, { cpuRounds: rounds })).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('known answer: empty payload, 1 round is SHA-256("")', () => {
    const reply = cpuReply(makeBody(1, 2n, 0), 1);
    expect(reply.subarray(12).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('a body under 12 bytes throws C1M_BODY_TOO_SHORT', () => {
    expect(codeOf(() => cpuReply(Buffer.alloc(11), 1))).toBe('C1M_BODY_TOO_SHORT');
  });

  test('isCorrectReply rejects wrong rounds, a flipped bit, a changed header, a wrong length, a short request', () => {
    const body = makeBody(5, 6n, 40);
    const good = cpuReply(body, 2);
    expect(isCorrectReply('cpu', body, good, { cpuRounds: 2 })).toBe(true);
    expect(isCorrectReply('cpu', body, good, { cpuRounds: 1 })).toBe(false);
    const flipped = Buffer.from(good);
    flipped[CPU_REPLY_BYTES - 1]! ^= 1;
    expect(isCorrectReply('cpu', body, flipped, { cpuRounds: 2 })).toBe(false);
    const header = Buffer.from(good);
    header[0]! ^= 1;
    expect(isCorrectReply('cpu', body, header, { cpuRounds: 2 })).toBe(false);
    expect(isCorrectReply('cpu', body, good.subarray(0, 43), { cpuRounds: 2 })).toBe(false);
    expect(isCorrectReply('cpu', Buffer.alloc(5), Buffer.alloc(44), params)).toBe(false);
  });
});

describe('io workload', () => {
  test('pattern byte at p is p mod 251, also across the wrap-around', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 1000 }), (offset, n) => {
        const target = new Uint8Array(n);
        fillIoPattern(target, offset);
        for (let i = 0; i < n; i++) expect(target[i]).toBe((offset + i) % 251);
        if (n > 0) expect(ioPatternByte(offset)).toBe(offset % 251);
      }),
    );
  });

  test('makeIoRequest / parseIoRequest round-trip offset and length', () => {
    const req = makeIoRequest(9, 10n, 4000, 512);
    expect(req.toString('hex')).toBe('00000009' + '000000000000000a' + '00000fa0' + '00000200');
    expect(parseIoRequest(req, DEFAULT_IO_MAX_READ)).toEqual({ offset: 4000, length: 512 });
  });

  test('a read above the limit throws C1M_IO_RANGE; exactly the limit is fine', () => {
    expect(parseIoRequest(makeIoRequest(1, 0n, 0, 100), 100).length).toBe(100);
    expect(codeOf(() => parseIoRequest(makeIoRequest(1, 0n, 0, 101), 100))).toBe('C1M_IO_RANGE');
  });

  test('a request under 20 bytes throws C1M_BODY_TOO_SHORT', () => {
    expect(codeOf(() => parseIoRequest(Buffer.alloc(19), DEFAULT_IO_MAX_READ))).toBe('C1M_BODY_TOO_SHORT');
  });

  test('isCorrectReply accepts the pattern reply for any offset and length', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 2000 }), (offset, length) => {
        const req = makeIoRequest(offset & 0xffff, 77n, offset, length);
        expect(isCorrectReply('io', req, expectedIoReply(req), params)).toBe(true);
      }),
    );
  });

  test(
    'isCorrectReply rejects a wrong byte, a shifted offset, ' + 'a wrong length, a changed header, a short request',
    () => {
      const req = makeIoRequest(1, 2n, 250, 10);
      const good = expectedIoReply(req);
      const wrong = Buffer.from(good);
      wrong[15]! ^= 0xff;
      expect(isCorrectReply('io', req, wrong, params)).toBe(false);
      expect(isCorrectReply('io', req, expectedIoReply(makeIoRequest(1, 2n, 251, 10)), params)).toBe(false);
      expect(isCorrectReply('io', req, good.subarray(0, good.length - 1), params)).toBe(false);
      const header = Buffer.from(good);
      header[4]! ^= 1;
      expect(isCorrectReply('io', req, header, params)).toBe(false);
      expect(isCorrectReply('io', req.subarray(0, 19), good, params)).toBe(false);
    },
  );
});

describe('echo workload', () => {
  test('isCorrectReply: byte-identical only, for any length including under 12 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const body = Buffer.from(bytes);
        expect(isCorrectReply('echo', body, Buffer.from(body), params)).toBe(true);
        expect(isCorrectReply('echo', body, Buffer.concat([body, Buffer.from([0])]), params)).toBe(false);
        if (body.length > 0) {
          const changed = Buffer.from(body);
          changed[changed.length - 1]! ^= 1;
          expect(isCorrectReply('echo', body, changed, params)).toBe(false);
        }
      }),
    );
  });
});
