// Keeps the worked examples of README.md (section 6) honest: each hex dump in the spec must be
// what the reference implementation produces.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  cpuReply,
  encodeClientFrame,
  encodeFrame,
  fillIoPattern,
  makeIoRequest,
  writeBodyHeader,
} from '../src/index.ts';

/** The README with whitespace and the '|' field separators of the hex dumps removed. */
const spec = readFileSync(new URL('../README.md', import.meta.url), 'utf8').replace(/[\s|]/g, '');

function body(seq: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  writeBodyHeader(b, seq, 12345n);
  payload.copy(b, 12);
  return b;
}

describe('README worked examples', () => {
  test('6.1 echo over TCP', () => {
    expect(spec).toContain(encodeFrame(body(1, Buffer.from('hi!'))).toString('hex'));
  });

  test('6.2 echo over WebSocket: masked request and unmasked reply', () => {
    const b = body(1, Buffer.from('hi!'));
    expect(spec).toContain(encodeClientFrame(2, b, Buffer.from('a1b2c3d4', 'hex')).toString('hex'));
    expect(spec).toContain(`820f${b.toString('hex')}`);
  });

  test('6.3 cpu request and reply, 1 and 2 rounds', () => {
    const req = body(2, Buffer.from('abc'));
    expect(spec).toContain(encodeFrame(req).toString('hex'));
    expect(spec).toContain(encodeFrame(cpuReply(req, 1)).toString('hex'));
    expect(spec).toContain(cpuReply(req, 2).subarray(12).toString('hex'));
  });

  test('6.4 io request and reply', () => {
    const req = makeIoRequest(3, 12345n, 500, 8);
    expect(spec).toContain(encodeFrame(req).toString('hex'));
    const data = Buffer.alloc(8);
    fillIoPattern(data, 500);
    expect(spec).toContain(encodeFrame(body(3, data)).toString('hex'));
  });
});
