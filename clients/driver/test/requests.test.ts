// Request building and reply checking: every workload's requests are answered correctly by the
// reference replies, and any changed byte, seq, send time, length or opcode is a mismatch. Echo
// requests are built in one reused frame buffer and checked without a copy of their body.
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  OPCODE_BINARY,
  OPCODE_TEXT,
  cpuReply,
  fillIoPattern,
  makeBody,
  parseIoRequest,
  readSeq,
  staticHttpBody,
} from '@c1m/protocol';
import { RequestFactory, type SentRequest } from '../src/shard/requests.ts';

function decodeTcp(frame: Buffer): Buffer {
  let out: Buffer | null = null;
  new FrameDecoder(1 << 20, (b) => (out = Buffer.from(b))).push(frame);
  return out!;
}

/** Unmasks a client frame by hand: header, then payload XOR key. */
function unmaskWs(frame: Buffer): Buffer {
  const len = frame[1]! & 0x7f;
  const at = len < 126 ? 2 : 4;
  const n = len < 126 ? len : frame.readUInt16BE(2);
  const key = frame.subarray(at, at + 4);
  const payload = Buffer.from(frame.subarray(at + 4).map((b, i) => b ^ key[i % 4]!));
  expect(payload.length).toBe(n);
  return payload;
}

/** What a Pending entry records of the request `f` built last. */
function sent(f: RequestFactory, seq: number, sendTimeUs: number): SentRequest {
  return { seq, sendTimeUs, bodyBytes: f.bodyBytes, req: f.body };
}

const echoSpec = (transport: 'tcp' | 'ws', sizes: number[]) =>
  ({ transport, workload: 'echo', cpuRounds: 1, size: { kind: 'list', sizes }, wsPingFrames: false }) as const;

describe('RequestFactory', () => {
  it('builds tcp echo frames carrying seq, time and a seq pattern, and checks replies by rebuilding them', () => {
    const f = new RequestFactory(echoSpec('tcp', [40]), 1);
    const t = 1_764_000_000_123_456; // a real epoch µs: above 2^32, so both u32 halves matter
    const frame = f.build(7, t);
    expect(frame.length).toBe(44);
    const body = decodeTcp(frame);
    // The wire bytes are those of the protocol's reference body.
    expect(body.equals(makeBody(7, BigInt(t), 28))).toBe(true);
    expect(body.equals(f.echoBody(7, t, 40))).toBe(true);
    expect(readSeq(body)).toBe(7);
    expect(body.readBigUInt64BE(4)).toBe(BigInt(t));
    const request = sent(f, 7, t);
    expect(request.req).toBeNull();
    expect(f.verify(request, Buffer.from(body), OPCODE_BINARY)).toBe(true);
    for (const at of [0, 3, 4, 8, 11, 12, 30, 39]) {
      const corrupt = Buffer.from(body);
      corrupt[at]! ^= 1;
      expect(f.verify(request, corrupt, OPCODE_BINARY), `byte ${at} flipped`).toBe(false);
    }
    expect(f.verify(request, body.subarray(0, 39), OPCODE_BINARY)).toBe(false);
    expect(f.verify(request, Buffer.concat([body, Buffer.from([0])]), OPCODE_BINARY)).toBe(false);
    expect(f.verify({ ...request, sendTimeUs: t + 1 }, body, OPCODE_BINARY)).toBe(false);
    expect(f.verify(request, Buffer.from(body), OPCODE_TEXT)).toBe(false);
    expect(f.replyWireBytes(40)).toBe(44);
  });

  it('checks an echo reply where it lies inside a larger buffer (the read buffer), by its bounds alone', () => {
    for (const size of [40, 5000]) {
      const f = new RequestFactory(echoSpec('tcp', [size]), 3);
      const body = decodeTcp(f.build(513, 77));
      const request = sent(f, 513, 77);
      // Other replies' bytes around it: a check that ignored start or end would read them.
      const read = Buffer.concat([makeBody(9, 1n, 20), body, makeBody(10, 2n, 20)]);
      const start = 32;
      expect(f.verify(request, read, OPCODE_BINARY, start, start + size)).toBe(true);
      expect(f.verify(request, read, OPCODE_BINARY, start, start + size - 1)).toBe(false);
      expect(f.verify(request, read, OPCODE_BINARY, start - 1, start + size - 1)).toBe(false);
      for (const at of [0, 4, 11, 12, size - 1]) {
        const corrupt = Buffer.from(read);
        corrupt[start + at]! ^= 1;
        expect(f.verify(request, corrupt, OPCODE_BINARY, start, start + size), `${size}: byte ${at}`).toBe(false);
      }
    }
  });

  it('checks long echo bodies (compared natively) byte for byte too', () => {
    const f = new RequestFactory(echoSpec('tcp', [5000]), 5);
    const frame = f.build(300, 99);
    const body = decodeTcp(frame);
    const request = sent(f, 300, 99);
    expect(f.verify(request, body, OPCODE_BINARY)).toBe(true);
    body[4321]! ^= 0x80;
    expect(f.verify(request, body, OPCODE_BINARY)).toBe(false);
  });

  it('reuses one frame buffer for echo requests, and a new one after a write queue kept it (frameHeld)', () => {
    const f = new RequestFactory(echoSpec('tcp', [1000]), 6);
    const first = f.build(1, 10);
    expect(f.build(2, 20)).toBe(first);
    f.frameHeld(first);
    const third = f.build(3, 30);
    expect(third).not.toBe(first);
    // What the queue holds is left as it was written.
    expect(decodeTcp(first).equals(makeBody(2, 20n, 988))).toBe(true);
    expect(decodeTcp(third).equals(makeBody(3, 30n, 988))).toBe(true);
  });

  it('keeps short tcp echo frames built, one per seq & 0xff, stamping only the body header per send', () => {
    const f = new RequestFactory(echoSpec('tcp', [64]), 6);
    const first = f.build(1, 10);
    expect(f.build(2, 20)).not.toBe(first);
    const again = f.build(257, 30);
    expect(again).toBe(first);
    expect(decodeTcp(again).equals(makeBody(257, 30n, 52))).toBe(true);
    expect(f.verify(sent(f, 257, 30), decodeTcp(again), OPCODE_BINARY)).toBe(true);
    // A frame a write queue kept is never written again: seq 513 gets a new one.
    f.frameHeld(again);
    const next = f.build(513, 40);
    expect(next).not.toBe(again);
    expect(decodeTcp(again).equals(makeBody(257, 30n, 52))).toBe(true);
    expect(decodeTcp(next).equals(makeBody(513, 40n, 52))).toBe(true);
    expect(f.build(769, 50)).toBe(next);
  });

  it('masks ws echo frames in place, every size of a range', () => {
    const f = new RequestFactory({ ...echoSpec('ws', []), size: { kind: 'range', min: 12, max: 200 } }, 2);
    for (let seq = 0; seq < 50; seq++) {
      const frame = f.build(seq, seq * 1000);
      const payload = unmaskWs(frame);
      expect(payload.length).toBe(f.bodyBytes);
      expect(payload.length).toBeGreaterThanOrEqual(12);
      expect(payload.length).toBeLessThanOrEqual(200);
      expect(payload.equals(f.echoBody(seq, seq * 1000, f.bodyBytes))).toBe(true);
      expect(f.verify(sent(f, seq, seq * 1000), payload, OPCODE_BINARY)).toBe(true);
    }
    expect(f.replyWireBytes(100)).toBe(102);
    expect(f.replyWireBytes(1000)).toBe(1004);
  });

  it('verifies cpu and io replies against the workload definitions', () => {
    const cpu = new RequestFactory({ ...echoSpec('tcp', [64]), workload: 'cpu', cpuRounds: 3 }, 3);
    cpu.build(1, 1);
    const cpuBody = cpu.body!;
    expect(cpu.verify(sent(cpu, 1, 1), cpuReply(cpuBody, 3), OPCODE_BINARY)).toBe(true);
    expect(cpu.verify(sent(cpu, 1, 1), cpuReply(cpuBody, 1), OPCODE_BINARY)).toBe(false);

    const io = new RequestFactory({ ...echoSpec('tcp', [300]), workload: 'io' }, 4);
    io.build(9, 1);
    const ioBody = io.body!;
    const { offset, length } = parseIoRequest(ioBody, 65536);
    expect(length).toBe(300);
    const reply = Buffer.alloc(12 + length);
    ioBody.copy(reply, 0, 0, 12);
    fillIoPattern(reply.subarray(12), offset);
    expect(io.verify(sent(io, 9, 1), reply, OPCODE_BINARY)).toBe(true);
    reply[100]! ^= 1;
    expect(io.verify(sent(io, 9, 1), reply, OPCODE_BINARY)).toBe(false);
  });

  it('sends every http GET from one constant buffer, never written to', () => {
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const http = { request, bodySize: 100, keepAlive: true };
    const f = new RequestFactory({ ...echoSpec('tcp', [12]), transport: 'http', workload: 'static', http }, 7);
    const first = f.build(0, 1);
    const second = f.build(1, 2);
    expect(second).toBe(first);
    expect(second.toString('latin1')).toBe(request);
    expect(f.verify(sent(f, 1, 2), staticHttpBody(100), 200)).toBe(true);
    expect(f.verify(sent(f, 1, 2), staticHttpBody(100), 500)).toBe(false);
    expect(f.verify(sent(f, 1, 2), staticHttpBody(99), 200)).toBe(false);
  });
});
