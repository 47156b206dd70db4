// PacketWriter/PacketReader: round trips of arbitrary field sequences, and every way a read or a
// write can fall out of range.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { PacketReader, PacketWriter } from '../src/index.ts';
import { codeOf } from './code-of.ts';

type Field =
  | { kind: 'u8' | 'u16' | 'u32'; value: number }
  | { kind: 'u64'; value: bigint }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'string'; value: string };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((value) => ({ kind: 'u8' as const, value })),
  fc.integer({ min: 0, max: 0xffff }).map((value) => ({ kind: 'u16' as const, value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value) => ({ kind: 'u32' as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ kind: 'u64' as const, value })),
  fc.uint8Array({ maxLength: 300 }).map((value) => ({ kind: 'bytes' as const, value })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((value) => ({ kind: 'string' as const, value })),
);

function write(w: PacketWriter, f: Field): void {
  if (f.kind === 'u64') w.u64(f.value);
  else if (f.kind === 'bytes') w.bytes(f.value);
  else if (f.kind === 'string') w.string(f.value);
  else w[f.kind](f.value);
}

function read(r: PacketReader, f: Field): unknown {
  if (f.kind === 'bytes') return new Uint8Array(r.bytes(f.value.length));
  return r[f.kind]();
}

describe('PacketWriter / PacketReader', () => {
  test('any sequence of fields round-trips, from any initial capacity', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), fc.integer({ min: 0, max: 100 }), (fields, capacity) => {
        const w = new PacketWriter(capacity);
        for (const f of fields) write(w, f);
        const packet = w.finish();
        const r = new PacketReader(packet);
        for (const f of fields) expect(read(r, f)).toEqual(f.value);
        expect(r.remaining).toBe(0);
        r.end();
      }),
    );
  });

  test('byte layout is big-endian with u16-prefixed UTF-8 strings', () => {
    const packet = new PacketWriter(1).u8(1).u16(0x0203).u32(0x04050607).u64(0x08090a0b0c0d0e0fn).string('é').bytes(Buffer.from([0xff])).finish();
    expect(packet.toString('hex')).toBe('01' + '0203' + '04050607' + '08090a0b0c0d0e0f' + '0002c3a9' + 'ff');
  });

  test('a leading byte-order mark survives the round trip', () => {
    const packet = new PacketWriter().string('\uFEFFx').finish();
    expect(new PacketReader(packet).string()).toBe('\uFEFFx');
  });

  test('finish() starts a new packet and leaves the returned one intact', () => {
    const w = new PacketWriter(4);
    w.u32(1);
    const first = w.finish();
    w.u32(2);
    expect(w.length).toBe(4);
    expect(first.readUInt32BE(0)).toBe(1);
    expect(w.finish().readUInt32BE(0)).toBe(2);
  });

  test.each([
    ['u8', 1],
    ['u16', 2],
    ['u32', 4],
    ['u64', 8],
  ] as const)('%s needs %i bytes: every shorter remainder throws out of range and keeps the cursor', (kind, size) => {
    for (let have = 0; have < size; have++) {
      const r = new PacketReader(Buffer.alloc(have));
      expect(codeOf(() => r[kind]())).toBe('C1M_PACKET_OUT_OF_RANGE');
      expect(r.offset).toBe(0);
    }
  });

  test('bytes(n) past the end, negative or fractional n throw out of range', () => {
    const r = new PacketReader(Buffer.alloc(3));
    expect(codeOf(() => r.bytes(4))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => r.bytes(-1))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => r.bytes(1.5))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(r.bytes(3).length).toBe(3);
    expect(r.rest().length).toBe(0);
  });

  test('a string whose length prefix (or prefix itself) runs past the end throws out of range', () => {
    expect(codeOf(() => new PacketReader(Buffer.from([0x00])).string())).toBe('C1M_PACKET_OUT_OF_RANGE');
    const r = new PacketReader(Buffer.from([0x00, 0x05, 0x61, 0x62]));
    expect(codeOf(() => r.string())).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(r.offset).toBe(0);
  });

  test.each([
    ['lone continuation byte', [0x80]],
    ['truncated 2-byte sequence', [0xc3]],
    ['overlong encoding of "/"', [0xc0, 0xaf]],
    ['UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ])('invalid UTF-8 (%s) throws C1M_PACKET_INVALID_UTF8', (_name, bytes) => {
    const packet = Buffer.from([0, bytes.length, ...bytes]);
    const r = new PacketReader(packet);
    expect(codeOf(() => r.string())).toBe('C1M_PACKET_INVALID_UTF8');
    expect(r.offset).toBe(0);
  });

  test('end() rejects trailing bytes', () => {
    const r = new PacketReader(Buffer.from([1, 2]));
    r.u8();
    expect(codeOf(() => r.end())).toBe('C1M_PACKET_OUT_OF_RANGE');
  });

  test('writer rejects values that do not fit their field', () => {
    const w = new PacketWriter();
    expect(codeOf(() => w.u8(256))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u8(-1))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u16(0x10000))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u32(2 ** 32))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u32(1.5))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u64(-1n))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.u64(2n ** 64n))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(codeOf(() => w.string('x'.repeat(0x10000)))).toBe('C1M_PACKET_OUT_OF_RANGE');
    expect(w.length).toBe(0);
    w.string('é'.repeat(0x7fff)); // 65534 bytes: the largest even-length string that fits
    expect(w.length).toBe(2 + 0xfffe);
  });
});
