// Builds the requests a shard sends (body per workload, framed per transport) and checks each
// reply against the request it answers. An echo request is written straight into a reusable
// frame buffer and never kept: its body is a function of seq, send time and size, so the reply is
// checked against that function instead of a copy (no allocation per send). Short tcp echo frames
// of one size are kept one per seq & 0xff, whose payload they already hold: a send writes 12 bytes.
// cpu and io requests keep their body, since their replies are computed from it; every http GET is
// one constant buffer.
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
  maskPayloadInPlace,
  staticHttpBody,
  hasBodyHeader,
  readU32BE,
  writeBodyHeader,
  writeClientFrameHeader,
  writeFrameHeader,
  type HttpWorkload,
  type Workload,
  type WorkloadParams,
} from '@c1m/protocol';
import type { RequestSpec } from '../ipc/messages.ts';
import { maxSize } from '../options/values.ts';
import { EchoPayload } from './echo-payload.ts';

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

/** What a reply is checked against (the Pending entry of its request carries these). */
export interface SentRequest {
  readonly seq: number;
  /** The send time written into the body (µs since the epoch). */
  readonly sendTimeUs: number;
  readonly bodyBytes: number;
  /** The body sent, unmasked (for http the GET); null for echo, whose body is rebuilt from the fields above. */
  readonly req: Buffer | null;
}

/** tcp echo requests of one size up to this are kept built, one frame per seq & 0xff (256 of them). */
const PREBUILT_MAX_BYTES = 256;

/** Makes request frames and verifies replies. One per shard. */
export class RequestFactory {
  private readonly spec: RequestSpec;
  private readonly params: WorkloadParams;
  /** The payload after an echo body's header: a function of seq & 0xff and its length. */
  private readonly payload: EchoPayload;
  /** tcp or ws echo: requests built in `scratch` and checked without a copy. */
  private readonly echo: boolean;
  /**
   * The spec's fields read per message, kept as fields of this object (read through `spec`, each
   * was a property load that V8's profile showed in the send path).
   */
  private readonly tcp: boolean;
  /** Every request has this body size; -1 when sizes vary. */
  private readonly fixedSize: number;
  /** What a request and its reply carry: binary, or ping and pong (--ping-kind ws-ping). */
  private readonly requestOpcode: number;
  private readonly replyOpcode: number;
  /** http with keep-alive off: each request goes on a new connection, made after the last response. */
  readonly newConnectionPerRequest: boolean;
  /** ws pongs are replies (--ping-kind ws-ping). */
  readonly pongReplies: boolean;
  /** Wire bytes of the largest request frame (the size of `scratch`). */
  private readonly maxFrameBytes: number;
  /**
   * The frame buffer echo requests are built in, reused for every request until a socket's write
   * queue keeps one (frameHeld): the next is then built in a new buffer.
   */
  private scratch: Buffer | null = null;
  /** The last cut of `scratch` handed out by frame(). */
  private scratchCut: Buffer | null = null;
  /**
   * tcp echo of one size up to PREBUILT_MAX_BYTES: entry k is the frame of the last request whose
   * seq & 0xff is k (its payload is the same for every such seq), built on first use. Null otherwise.
   */
  private readonly tcpFrames: Array<Buffer | undefined> | null;
  private rng: number;
  /** The body of the request last built: null for echo (see SentRequest.req). */
  body: Buffer | null = null;
  /** Body bytes of the request last built. */
  bodyBytes = 0;
  private readonly http: HttpParts | null;

  constructor(spec: RequestSpec, seed: number) {
    this.spec = spec;
    this.params = { cpuRounds: spec.cpuRounds };
    this.echo = spec.workload === 'echo' && spec.transport !== 'http';
    this.tcp = spec.transport === 'tcp';
    const size = spec.size;
    this.fixedSize = size.kind !== 'range' && size.sizes.length === 1 ? size.sizes[0]! : -1;
    this.requestOpcode = spec.wsPingFrames ? OPCODE_PING : OPCODE_BINARY;
    this.replyOpcode = spec.wsPingFrames ? OPCODE_PONG : OPCODE_BINARY;
    this.newConnectionPerRequest = spec.http?.keepAlive === false;
    this.pongReplies = spec.wsPingFrames;
    this.tcpFrames = this.echo && this.tcp && this.fixedSize >= 0 && this.fixedSize <= PREBUILT_MAX_BYTES ? [] : null;
    const largest = maxSize(spec.size);
    this.maxFrameBytes = this.tcp ? FRAME_HEADER_BYTES + largest : clientFrameBytes(largest);
    this.payload = new EchoPayload(largest);
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
    if (this.fixedSize >= 0) return this.fixedSize;
    const size = this.spec.size;
    if (size.kind === 'range') return size.min + (this.random() % (size.max - size.min + 1));
    return size.sizes[this.random() % size.sizes.length]!;
  }

  /**
   * A request frame for `seq` stamped with `sendTimeUs` (its size in `bodyBytes`, its body in
   * `body`). An echo frame may be the factory's reusable buffer: write it before the next build,
   * and say frameHeld() when the write kept it.
   */
  build(seq: number, sendTimeUs: number): Buffer {
    if (this.http) {
      // Every GET is the same bytes, never written to: a socket may hold it queued as long as it likes.
      // The response is matched by order, not by a seq.
      this.body = this.http.request;
      this.bodyBytes = this.http.request.length;
      return this.http.request;
    }
    const size = this.nextSize();
    this.bodyBytes = size;
    if (this.echo) {
      this.body = null;
      return this.tcp ? this.buildTcpEcho(size, seq, sendTimeUs) : this.buildWsEcho(size, seq, sendTimeUs);
    }
    if (this.spec.workload === 'io') {
      const body = makeIoRequest(seq, BigInt(sendTimeUs), (seq * 4093) % IO_OFFSET_SPAN, size);
      this.body = body;
      this.bodyBytes = body.length;
      return this.tcp ? encodeFrame(body) : encodeClientFrame(OPCODE_BINARY, body);
    }
    const body = Buffer.allocUnsafe(size);
    this.fillBody(body, 0, size, seq, sendTimeUs);
    this.body = body;
    return this.tcp ? encodeFrame(body) : encodeClientFrame(this.requestOpcode, body);
  }

  /**
   * The reusable frame buffer cut to `frameBytes`; the last cut is kept, so requests of one size
   * (the usual case) reuse one view rather than making one per send.
   */
  private frame(frameBytes: number): Buffer {
    const cut = this.scratchCut;
    if (cut !== null && cut.length === frameBytes) return cut;
    const scratch = (this.scratch ??= Buffer.allocUnsafe(this.maxFrameBytes));
    this.scratchCut = frameBytes === scratch.length ? scratch : scratch.subarray(0, frameBytes);
    return this.scratchCut;
  }

  /**
   * `frame`, built here, was kept by a socket's write queue (Conn.write said HELD): if it is the
   * reusable buffer, the next request is built in a new one.
   */
  frameHeld(frame: Buffer): void {
    const kept = this.tcpFrames;
    if (kept !== null) {
      // The seq is the body's first field: its low byte says which kept frame this is.
      const k = readU32BE(frame, FRAME_HEADER_BYTES) & 0xff;
      if (kept[k] === frame) kept[k] = undefined;
      return;
    }
    if (frame !== this.scratchCut) return;
    this.scratch = null;
    this.scratchCut = null;
  }

  private buildTcpEcho(size: number, seq: number, sendTimeUs: number): Buffer {
    const kept = this.tcpFrames;
    if (kept !== null) {
      const k = seq & 0xff;
      const frame = kept[k];
      if (frame !== undefined) {
        writeBodyHeader(frame, seq, sendTimeUs, FRAME_HEADER_BYTES);
        return frame;
      }
      const built = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size);
      writeFrameHeader(built, 0, size);
      this.fillBody(built, FRAME_HEADER_BYTES, size, seq, sendTimeUs);
      kept[k] = built;
      return built;
    }
    const frame = this.frame(FRAME_HEADER_BYTES + size);
    writeFrameHeader(frame, 0, size);
    this.fillBody(frame, FRAME_HEADER_BYTES, size, seq, sendTimeUs);
    return frame;
  }

  private buildWsEcho(size: number, seq: number, sendTimeUs: number): Buffer {
    const frame = this.frame(clientFrameBytes(size));
    const payloadAt = writeClientFrameHeader(frame, 0, this.requestOpcode, size);
    this.fillBody(frame, payloadAt, size, seq, sendTimeUs);
    maskPayloadInPlace(frame, 0, size);
    return frame;
  }

  /** Writes the body of `seq` (header, then the seq's pattern) into `target` at `at`. */
  private fillBody(target: Buffer, at: number, size: number, seq: number, sendTimeUs: number): void {
    writeBodyHeader(target, seq, sendTimeUs, at);
    this.payload.fill(target, at + BODY_HEADER_BYTES, size - BODY_HEADER_BYTES, seq & 0xff);
  }

  /** The body an echo request of `seq`, `sendTimeUs` and `bodyBytes` carried (tests, diagnostics). */
  echoBody(seq: number, sendTimeUs: number, bodyBytes: number): Buffer {
    const body = Buffer.allocUnsafe(bodyBytes);
    this.fillBody(body, 0, bodyBytes, seq, sendTimeUs);
    return body;
  }

  /**
   * True when the reply `bytes[start, end)` (opcode: WebSocket opcode, binary for tcp, status for
   * http) correctly answers `request`. An echo reply is checked where it lies (the read buffer).
   */
  verify(request: SentRequest, bytes: Buffer, opcode: number, start = 0, end = bytes.length): boolean {
    if (this.http === null && opcode !== this.replyOpcode) return false;
    if (this.http === null && request.req === null) return this.isEchoOf(request, bytes, start, end);
    const reply = start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
    const http = this.http;
    if (http) return opcode === 200 && isCorrectHttpBody(http.workload, http.bodySize, reply, http.expected);
    return isCorrectReply(this.spec.workload as Workload, request.req!, reply, this.params);
  }

  /** True when `bytes[start, end)` is byte for byte the body echo request `request` carried (see fillBody). */
  private isEchoOf(request: SentRequest, bytes: Buffer, start: number, end: number): boolean {
    const n = request.bodyBytes;
    if (end - start !== n || n < BODY_HEADER_BYTES) return false;
    if (!hasBodyHeader(bytes, request.seq, request.sendTimeUs, start)) return false;
    return this.payload.matches(bytes, start + BODY_HEADER_BYTES, end, request.seq & 0xff);
  }

  /** Replies are read into `buffer` (the shard's read buffer): echo payloads there are compared by words. */
  useReadBuffer(buffer: Buffer): void {
    this.payload.useReadBuffer(buffer);
  }

  /** Bytes on the wire of a reply whose body has `bodyBytes` (server frames are unmasked). */
  replyWireBytes(bodyBytes: number, httpHeadBytes = 0): number {
    if (this.http) return httpHeadBytes + bodyBytes;
    if (this.tcp) return FRAME_HEADER_BYTES + bodyBytes;
    return clientFrameBytes(bodyBytes) - 4;
  }
}
