// The byte-wise u32 helpers agree with Buffer's own big-endian methods at every offset and at the
// edges of the u32 range.
import { describe, expect, it } from 'vitest';
import { readU32BE, writeU32BE } from '../src/index.ts';

describe('readU32BE / writeU32BE', () => {
  it('match readUInt32BE and writeUInt32BE', () => {
    const values = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];
    for (const value of values) {
      for (let at = 0; at <= 4; at++) {
        const ours = Buffer.alloc(8, 0xaa);
        const node = Buffer.alloc(8, 0xaa);
        writeU32BE(ours, at, value);
        node.writeUInt32BE(value, at);
        expect(ours.equals(node), `${value} at ${at}`).toBe(true);
        expect(readU32BE(node, at)).toBe(value);
      }
    }
  });
});
