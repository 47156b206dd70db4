// Builds the requests a shard sends (body per workload, framed per transport) and checks each
// reply against the request it answers. Bodies are written straight into the frame buffer
// (TCP) and the payload is copied from a precomputed pattern, so a send costs one allocation.
import {
  BODY_HEADER_BYTES,
  FRAME_HEADER_BYTES,
  OPCODE_BINARY,
  OPCODE_PING,
  OPCODE_PONG,
  clientFrameBytes,
  encodeClientFrame,
  encodeFrame,
  isCorrectHttpBody,
  isCorrectReply,
  makeIoRequest,
  staticHttpBody,
  writeBodyHeader,
  writeFrameHeader,
  type HttpWorkload,
  type Workload,
  type WorkloadParams,
} from '@c1m/protocol';
import type { RequestSpec } from '../ipc/messages.ts';
import { maxSize } from '../options/values.ts';

/** What an http factory precomputes. */
interface HttpParts {
  request: Buffer;
  workload: HttpWorkload;
  bodySize: number;
  /** The static body (aes: the plaintext) a correct response carries. */
  expected: Buffer;
}

/** io requests read from a window of this many bytes of the server's data (offsets wrap anyway). */
const IO_OFFSET_SPAN = 1 << 20;

/** Makes request frames and verifies replies. One per shard. */
export class RequestFactory {
  private readonly spec: RequestSpec;
  private readonly params: WorkloadParams;
  /** pattern[i] = i & 0xff: the payload of seq s is pattern[s & 0xff ...], as makeBody writes it. */
  private readonly pattern: Buffer;
  private rng: number;
  /** The body of the frame last returned by build() (unmasked, for verification). */
  body: Buffer = Buffer.alloc(0);
  private readonly http: HttpParts | null;

  constructor(spec: RequestSpec, seed: number) {
    this.spec = spec;
    this.params = { cpuRounds: spec.cpuRounds };
    this.pattern = Buffer.allocUnsafe(maxSize(spec.size) + 256);
    for (let i = 0; i < this.pattern.length; i++) this.pattern[i] = i & 0xff;
    this.rng = (seed * 2654435761 + 1) >>> 0 || 1;
    const http = spec.http;
    this.http = http
      ? {
          request: Buffer.from(http.request, 'latin1'),
          workload: spec.workload as HttpWorkload,
          bodySize: http.bodySize,
          expected: staticHttpBody(http.bodySize),
        }
      : null;
  }

  /** xorshift32: reproducible per shard, cheaper than Math.random for size draws. */
  private random(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  private nextSize(): number {
    const size = this.spec.size;
    if (size.kind === 'range') return size.min + (this.random() % (size.max - size.min + 1));
    return size.sizes.length === 1 ? size.sizes[0]! : size.sizes[this.random() % size.sizes.length]!;
  }

  /** A request frame for `seq` stamped with `sendTimeUs`; its body is left in `this.body`. */
  build(seq: number, sendTimeUs: number): Buffer {
    if (this.http) {
      // Every GET is the same bytes; the response is matched by order, not by a seq.
      this.body = this.http.request;
      return this.http.request;
    }
    const size = this.nextSize();
    if (this.spec.workload === 'io') {
      const body = makeIoRequest(seq, BigInt(sendTimeUs), (seq * 4093) % IO_OFFSET_SPAN, size);
      this.body = body;
      return this.spec.transport === 'tcp' ? encodeFrame(body) : encodeClientFrame(OPCODE_BINARY, body);
    }
    if (this.spec.transport === 'tcp') {
      const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size);
      writeFrameHeader(frame, 0, size);
      const body = frame.subarray(FRAME_HEADER_BYTES);
      this.fillBody(body, seq, sendTimeUs);
      this.body = body;
      return frame;
    }
    const body = Buffer.allocUnsafe(size);
    this.fillBody(body, seq, sendTimeUs);
    this.body = body;
    return encodeClientFrame(this.spec.wsPingFrames ? OPCODE_PING : OPCODE_BINARY, body);
  }

  private fillBody(body: Buffer, seq: number, sendTimeUs: number): void {
    writeBodyHeader(body, seq, sendTimeUs);
    const from = seq & 0xff;
    this.pattern.copy(body, BODY_HEADER_BYTES, from, from + body.length - BODY_HEADER_BYTES);
  }

  /** http with keep-alive off: each request goes on a new connection, made after the last response. */
  get newConnectionPerRequest(): boolean {
    return this.spec.http?.keepAlive === false;
  }

  /** ws pongs are replies (--ping-kind ws-ping). */
  get pongReplies(): boolean {
    return this.spec.wsPingFrames;
  }

  /** True when `reply` (opcode: WebSocket opcode, binary for tcp) correctly answers `request`. */
  verify(request: Buffer, reply: Buffer, opcode: number): boolean {
    const http = this.http;
    if (http) return opcode === 200 && isCorrectHttpBody(http.workload, http.bodySize, reply, http.expected);
    const expected = this.spec.wsPingFrames ? OPCODE_PONG : OPCODE_BINARY;
    return opcode === expected && isCorrectReply(this.spec.workload as Workload, request, reply, this.params);
  }

  /** Bytes on the wire of a reply whose body has `bodyBytes` (server frames are unmasked). */
  replyWireBytes(bodyBytes: number, httpHeadBytes = 0): number {
    if (this.http) return httpHeadBytes + bodyBytes;
    if (this.spec.transport === 'tcp') return FRAME_HEADER_BYTES + bodyBytes;
    return clientFrameBytes(bodyBytes) - 4;
  }
}
