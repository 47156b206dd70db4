// The echo payload pattern: what fill writes is what makeBody writes, and matches finds every changed
// byte, whether the reply lies 4-aligned in the read buffer (compared by words), elsewhere in it, in
// another buffer, or is longer than the JS loops take (compared natively).
import { describe, expect, it } from 'vitest';
import { BODY_HEADER_BYTES, makeBody } from '@c1m/protocol';
import { EchoPayload } from '../src/shard/echo-payload.ts';

/** The payload makeBody writes for `seq` and `length` payload bytes. */
const reference = (seq: number, length: number) => makeBody(seq, 0n, length).subarray(BODY_HEADER_BYTES);

describe('EchoPayload', () => {
  it('fills what makeBody writes', () => {
    const payload = new EchoPayload(1000);
    const cases = [
      [0, 0],
      [1, 52],
      [255, 53],
      [300, 256],
      [7, 257],
      [200, 1000],
    ] as const;
    for (const [seq, length] of cases) {
      const target = Buffer.alloc(length + 3, 0xee);
      payload.fill(target, 3, length, seq & 0xff);
      expect(target.subarray(3).equals(reference(seq, length)), `${seq}/${length}`).toBe(true);
    }
  });

  it('finds every changed byte of a reply in the read buffer at every alignment, and elsewhere', () => {
    const payload = new EchoPayload(1000);
    const read = Buffer.alloc(4096);
    payload.useReadBuffer(read);
    for (const length of [0, 1, 3, 4, 5, 52, 53, 255, 256, 257, 600]) {
      for (const at of [0, 1, 2, 3, 4, 16, 17]) {
        for (const seq of [0, 1, 253, 254, 255, 256 + 77]) {
          const bytes = reference(seq, length);
          read.fill(0x55);
          bytes.copy(read, at);
          const other = Buffer.concat([Buffer.alloc(at, 0x55), bytes]);
          for (const target of [read, other]) {
            const label = `${length} at ${at}, seq ${seq}, ${target === read ? 'read buffer' : 'other'}`;
            expect(payload.matches(target, at, at + length, seq & 0xff), label).toBe(true);
            for (const flip of new Set([0, 1, 2, 3, 4, length >> 1, length - 1].filter((i) => i >= 0 && i < length))) {
              target[at + flip]! ^= 0x10;
              expect(payload.matches(target, at, at + length, seq & 0xff), `${label}: byte ${flip}`).toBe(false);
              target[at + flip]! ^= 0x10;
            }
            if (length > 0) expect(payload.matches(target, at, at + length, (seq + 1) & 0xff), label).toBe(false);
          }
        }
      }
    }
  });
});
