// Server-to-client WebSocket frames (RFC 6455 §5): unmasked, possibly fragmented, with control
// frames allowed between fragments. Built for a million instances: state is a handful of numbers
// and references, buffers exist only while a frame or message is actually split, and a frame that
// arrives whole inside a chunk is handed out as a view of that chunk (no copy).
import { isUtf8 } from 'node:buffer';
import { C1mError, type C1mErrorCode } from './errors.ts';
import {
  CLOSE_NO_STATUS,
  MAX_CONTROL_PAYLOAD,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  isValidCloseCode,
} from './ws-client-opcodes.ts';

/** Callbacks of a ServerFrameDecoder. Payloads may be views of the pushed chunk: copy to keep them. */
export interface ServerFrameHandlers {
  /** A complete message (fragments already joined); text messages are valid UTF-8. */
  onMessage(opcode: 1 | 2, payload: Buffer): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** The server's close frame: its code (1005 when it carried none) and reason. */
  onClose(code: number, reason: string): void;
}

const EMPTY = Buffer.alloc(0);
/** Longest header of an unmasked frame: 2 bytes + 64-bit extended length. */
const MAX_SERVER_HEADER = 10;

/** Header bytes implied by the second header byte (unmasked frame). */
function headerBytesFor(b1: number): number {
  const len7 = b1 & 0x7f;
  return len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
}

/**
 * Streaming decoder of the frames a WebSocket server sends. `push` each chunk received after the
 * upgrade head; handlers run synchronously, in order. Throws C1mError with code
 * C1M_WS_PROTOCOL (masked frame, RSV bits, reserved opcode, bad control frame, bad fragment
 * sequence, bad close code), C1M_WS_FRAME_TOO_LARGE (message above `maxMessage`) or
 * C1M_WS_INVALID_UTF8 (text message or close reason); after that every push throws the same code.
 * After a close frame the rest of the stream is ignored. An exception thrown by a handler
 * propagates out of `push` and the rest of that chunk is not decoded, so the stream is out of step:
 * treat it like a protocol error and close the connection.
 */
export class ServerFrameDecoder {
  private readonly maxMessage: number;
  private readonly handlers: ServerFrameHandlers;
  /** Split header bytes, allocated only while a header spans chunks. */
  private header: Buffer | null = null;
  private headerHave = 0;
  /** Payload of the current frame when it spans chunks. */
  private partial: Buffer | null = null;
  private partialHave = 0;
  /** FIN bit (0x80) | opcode of the frame held in `partial`. */
  private partialBits = 0;
  /** Opcode of the fragmented message in progress, 0 when none. */
  private messageOpcode = 0;
  /** Fragments of that message (owned copies), null when none. */
  private fragments: Buffer[] | null = null;
  private messageBytes = 0;
  /** 0 = open, 1 = close frame received, otherwise the code of the fatal error as a string. */
  private state: 0 | 1 | C1mErrorCode = 0;

  constructor(maxMessage: number, handlers: ServerFrameHandlers) {
    this.maxMessage = maxMessage;
    this.handlers = handlers;
  }

  /** True once the server's close frame arrived. */
  get closed(): boolean {
    return this.state === 1;
  }

  /** True between frames: nothing half-received, no fragmented message open, no close or error seen. */
  get idle(): boolean {
    return this.state === 0 && this.headerHave === 0 && this.partial === null && this.messageOpcode === 0;
  }

  /** Bytes held for incomplete frames and messages. */
  get bufferedBytes(): number {
    return this.headerHave + (this.partial === null ? 0 : this.partialHave) + this.messageBytes;
  }

  push(chunk: Buffer): void {
    if (this.state !== 0) {
      if (this.state === 1) return;
      throw new C1mError(this.state, 'decoder used after a fatal error');
    }
    const end = chunk.length;
    let pos = 0;
    if (this.partial !== null) pos = this.fillPartial(chunk, 0);
    else if (this.headerHave > 0) pos = this.fillHeader(chunk, 0);
    while (pos < end && this.state === 0) {
      const avail = end - pos;
      if (avail < 2 || avail < headerBytesFor(chunk[pos + 1]!)) {
        this.header = Buffer.allocUnsafe(MAX_SERVER_HEADER);
        chunk.copy(this.header, 0, pos, end);
        this.headerHave = avail;
        return;
      }
      const payloadAt = pos + headerBytesFor(chunk[pos + 1]!);
      const length = this.readHeader(chunk, pos);
      const bits = chunk[pos]! & 0x8f;
      if (end - payloadAt >= length) {
        pos = payloadAt + length;
        this.onFrame(bits, chunk.subarray(payloadAt, pos), false);
      } else {
        this.startPartial(bits, length);
        pos = this.fillPartial(chunk, payloadAt);
      }
    }
  }

  /** Completes a header split across chunks, then starts (or delivers) its frame. */
  private fillHeader(chunk: Buffer, pos: number): number {
    const header = this.header as Buffer;
    const end = chunk.length;
    while (pos < end) {
      header[this.headerHave++] = chunk[pos++]!;
      if (this.headerHave >= 2 && this.headerHave === headerBytesFor(header[1]!)) {
        this.headerHave = 0;
        this.header = null;
        const length = this.readHeader(header, 0);
        const bits = header[0]! & 0x8f;
        if (length === 0) this.onFrame(bits, EMPTY, true);
        else {
          this.startPartial(bits, length);
          return this.fillPartial(chunk, pos);
        }
        return pos;
      }
    }
    return pos;
  }

  private startPartial(bits: number, length: number): void {
    this.partial = Buffer.allocUnsafe(length);
    this.partialHave = 0;
    this.partialBits = bits;
  }

  private fillPartial(chunk: Buffer, pos: number): number {
    const partial = this.partial as Buffer;
    const take = Math.min(partial.length - this.partialHave, chunk.length - pos);
    chunk.copy(partial, this.partialHave, pos, pos + take);
    this.partialHave += take;
    if (this.partialHave === partial.length) {
      this.partial = null;
      this.partialHave = 0;
      this.onFrame(this.partialBits, partial, true);
    }
    return pos + take;
  }

  /**
   * Validates the complete header at `buf[at..]` against RFC 6455 and the message limit, before any
   * payload byte is buffered, and returns the payload length.
   */
  private readHeader(buf: Buffer, at: number): number {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) this.fail('C1M_WS_PROTOCOL', 'RSV bits set without a negotiated extension');
    if ((b1 & 0x80) !== 0) this.fail('C1M_WS_PROTOCOL', 'a server frame must not be masked');
    let length = b1 & 0x7f;
    if (length === 126) length = buf.readUInt16BE(at + 2);
    else if (length === 127) {
      const high = buf.readUInt32BE(at + 2);
      if (high >= 0x80000000) this.fail('C1M_WS_PROTOCOL', '64-bit payload length with the top bit set');
      length = high * 0x100000000 + buf.readUInt32BE(at + 6);
    }
    if (opcode >= OPCODE_CLOSE) {
      if (opcode > OPCODE_PONG) this.fail('C1M_WS_PROTOCOL', `reserved control opcode ${opcode}`);
      if (!fin) this.fail('C1M_WS_PROTOCOL', 'fragmented control frame');
      if (length > MAX_CONTROL_PAYLOAD) this.fail('C1M_WS_PROTOCOL', `control frame of ${length} bytes`);
      if (opcode === OPCODE_CLOSE && length === 1) this.fail('C1M_WS_PROTOCOL', 'close frame of 1 byte');
      return length;
    }
    if (opcode > OPCODE_BINARY) this.fail('C1M_WS_PROTOCOL', `reserved data opcode ${opcode}`);
    if (opcode === OPCODE_CONTINUATION) {
      if (this.messageOpcode === 0) this.fail('C1M_WS_PROTOCOL', 'continuation frame without a message to continue');
    } else if (this.messageOpcode !== 0) {
      this.fail('C1M_WS_PROTOCOL', 'new data frame while a fragmented message is incomplete');
    }
    if (this.messageBytes + length > this.maxMessage) {
      this.fail('C1M_WS_FRAME_TOO_LARGE', `message of ${this.messageBytes + length}+ bytes exceeds ${this.maxMessage}`);
    }
    return length;
  }

  /** Acts on one complete frame. `owned` says whether `payload` may be kept without copying. */
  private onFrame(bits: number, payload: Buffer, owned: boolean): void {
    const opcode = bits & 0x0f;
    const fin = (bits & 0x80) !== 0;
    switch (opcode) {
      case OPCODE_PING:
        this.handlers.onPing(payload);
        return;
      case OPCODE_PONG:
        this.handlers.onPong(payload);
        return;
      case OPCODE_CLOSE:
        this.onCloseFrame(payload);
        return;
      case OPCODE_CONTINUATION: {
        (this.fragments as Buffer[]).push(owned ? payload : Buffer.from(payload));
        this.messageBytes += payload.length;
        if (!fin) return;
        const fragments = this.fragments as Buffer[];
        const whole = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments, this.messageBytes);
        const messageOpcode = this.messageOpcode as 1 | 2;
        this.messageOpcode = 0;
        this.fragments = null;
        this.messageBytes = 0;
        this.deliver(messageOpcode, whole);
        return;
      }
      default:
        if (fin) this.deliver(opcode as 1 | 2, payload);
        else {
          this.messageOpcode = opcode;
          this.fragments = [owned ? payload : Buffer.from(payload)];
          this.messageBytes = payload.length;
        }
    }
  }

  private deliver(opcode: 1 | 2, payload: Buffer): void {
    if (opcode === OPCODE_TEXT && !isUtf8(payload)) this.fail('C1M_WS_INVALID_UTF8', 'text message is not valid UTF-8');
    this.handlers.onMessage(opcode, payload);
  }

  private onCloseFrame(payload: Buffer): void {
    let code = CLOSE_NO_STATUS;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) this.fail('C1M_WS_PROTOCOL', `invalid close code ${code}`);
      const reasonBytes = payload.subarray(2);
      if (!isUtf8(reasonBytes)) this.fail('C1M_WS_INVALID_UTF8', 'close reason is not valid UTF-8');
      reason = reasonBytes.toString('utf8');
    }
    this.state = 1;
    this.partial = null;
    this.fragments = null;
    this.messageBytes = 0;
    this.handlers.onClose(code, reason);
  }

  private fail(code: C1mErrorCode, message: string): never {
    this.state = code;
    this.header = null;
    this.partial = null;
    this.fragments = null;
    this.messageBytes = 0;
    this.headerHave = 0;
    throw new C1mError(code, message);
  }
}
