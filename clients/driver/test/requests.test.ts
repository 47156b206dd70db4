// Request building and reply checking: every workload's requests are answered correctly by the
// reference replies, and any changed byte, seq or opcode is a mismatch.
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  OPCODE_BINARY,
  OPCODE_TEXT,
  cpuReply,
  fillIoPattern,
  parseIoRequest,
  readSeq,
} from '@c1m/protocol';
import { RequestFactory } from '../src/shard/requests.ts';

function decodeTcp(frame: Buffer): Buffer {
  let out: Buffer | null = null;
  new FrameDecoder(1 << 20, (b) => (out = Buffer.from(b))).push(frame);
  return out!;
}

describe('RequestFactory', () => {
  it('builds tcp echo frames whose body carries seq, time and a seq pattern', () => {
    const f = new RequestFactory(
      { transport: 'tcp', workload: 'echo', cpuRounds: 1, size: { kind: 'list', sizes: [40] }, wsPingFrames: false },
      1,
    );
    const frame = f.build(7, 123456);
    expect(frame.length).toBe(44);
    const body = decodeTcp(frame);
    expect(body.equals(f.body)).toBe(true);
    expect(readSeq(body)).toBe(7);
    expect(body.readBigUInt64BE(4)).toBe(123456n);
    expect(body[12]).toBe(7);
    expect(f.verify(f.body, Buffer.from(body), OPCODE_BINARY)).toBe(true);
    const corrupt = Buffer.from(body);
    corrupt[30]! ^= 1;
    expect(f.verify(f.body, corrupt, OPCODE_BINARY)).toBe(false);
    expect(f.verify(f.body, Buffer.from(body), OPCODE_TEXT)).toBe(false);
    expect(f.replyWireBytes(40)).toBe(44);
  });

  it('masks ws frames and keeps the unmasked body for checking', () => {
    const f = new RequestFactory(
      {
        transport: 'ws',
        workload: 'echo',
        cpuRounds: 1,
        size: { kind: 'range', min: 12, max: 200 },
        wsPingFrames: false,
      },
      2,
    );
    for (let seq = 0; seq < 50; seq++) {
      const frame = f.build(seq, seq);
      // Unmask the client frame by hand: header, then payload XOR key.
      const len = frame[1]! & 0x7f;
      const at = len < 126 ? 2 : 4;
      const n = len < 126 ? len : frame.readUInt16BE(2);
      const key = frame.subarray(at, at + 4);
      const payload = Buffer.from(frame.subarray(at + 4).map((b, i) => b ^ key[i % 4]!));
      expect(payload.length).toBe(n);
      expect(payload.equals(f.body)).toBe(true);
      expect(n).toBeGreaterThanOrEqual(12);
      expect(n).toBeLessThanOrEqual(200);
    }
    expect(f.replyWireBytes(100)).toBe(102);
    expect(f.replyWireBytes(1000)).toBe(1004);
  });

  it('verifies cpu and io replies against the workload definitions', () => {
    const cpu = new RequestFactory(
      { transport: 'tcp', workload: 'cpu', cpuRounds: 3, size: { kind: 'list', sizes: [64] }, wsPingFrames: false },
      3,
    );
    cpu.build(1, 1);
    expect(cpu.verify(cpu.body, cpuReply(cpu.body, 3), OPCODE_BINARY)).toBe(true);
    expect(cpu.verify(cpu.body, cpuReply(cpu.body, 1), OPCODE_BINARY)).toBe(false);

    const io = new RequestFactory(
      { transport: 'tcp', workload: 'io', cpuRounds: 1, size: { kind: 'list', sizes: [300] }, wsPingFrames: false },
      4,
    );
    io.build(9, 1);
    const { offset, length } = parseIoRequest(io.body, 65536);
    expect(length).toBe(300);
    const reply = Buffer.alloc(12 + length);
    io.body.copy(reply, 0, 0, 12);
    fillIoPattern(reply.subarray(12), offset);
    expect(io.verify(io.body, reply, OPCODE_BINARY)).toBe(true);
    reply[100]! ^= 1;
    expect(io.verify(io.body, reply, OPCODE_BINARY)).toBe(false);
  });
});
