// One client connection, kept small because a shard holds ~18,000 of them and the driver ~1M:
// a handful of fields, no closures or timers of its own, no buffers while idle. Socket events go
// to module-level functions that find their Conn through the socket; reads land in the pool's
// one shared buffer (net's `onread`), and a TCP frame decoder exists only while a reply is due.
import { FAILED, writeLent, type WriteOutcome } from '@c1m/net-direct';
import net from 'node:net';
import tls from 'node:tls';
import {
  FRAME_HEADER_BYTES,
  FrameDecoder,
  HttpResponseParser,
  OPCODE_BINARY,
  OPCODE_PONG,
  ServerFrameDecoder,
  UpgradeResponseParser,
  buildUpgradeRequest,
  encodeClientFrame,
  END_OF_STREAM,
  failureCause,
  isC1mError,
  makeWsKey,
  readU32BE,
  type FailureCause,
  type ServerFrameHandlers,
} from '@c1m/protocol';
import type { Target } from '../options/values.ts';
import type { SentRequest } from './requests.ts';

export const CONNECTING = 0;
export const UPGRADING = 1;
export const OPEN = 2;
export const CLOSED = 3;
/** We sent FIN and wait for the peer's (short scenario without --linger0). */
export const CLOSING = 4;

/** One request in flight. */
export class Pending implements SentRequest {
  constructor(
    readonly seq: number,
    /** The body sent (unmasked), to check the reply against; null for echo (see SentRequest). */
    readonly req: Buffer | null,
    readonly bodyBytes: number,
    /** The send time written into the body (µs since the epoch). */
    readonly sendTimeUs: number,
    /** When it was due (open loop) or sent (closed loop), nowUs clock. */
    readonly schedUs: number,
    readonly sentUs: number,
    /** hold: the ping round; otherwise 0. */
    readonly round: number,
    /** Already counted as missed or missing: a later reply must not count as an answer. */
    public settled = false,
  ) {}
}

/** What a Conn reports to (the pool of its shard). */
export interface ConnOwner {
  readonly readBuffer: Buffer;
  readonly maxFrameBytes: number;
  /** ws: pongs answer our pings (--ping-kind ws-ping) and go to frame(); otherwise they are ignored. */
  readonly pongReplies: boolean;
  /** TCP connected and, for ws, upgraded. */
  opened(conn: Conn): void;
  /** The connection ended (errno, C1M_* code or EOF); idempotent. */
  lost(conn: Conn, cause: FailureCause): void;
  /**
   * A reply body arrived: `bytes[start, end)`, valid only during the call (it may lie in the read
   * buffer). The opcode is binary for tcp, the status code for http, whose head size comes too.
   */
  frame(conn: Conn, bytes: Buffer, start: number, end: number, opcode: number, httpHeadBytes?: number): void;
}

type ConnSocket = net.Socket & { conn: Conn; raw?: net.Socket };

/**
 * Closes with RST (no TIME_WAIT on either side). A TLS socket cannot reset its own handle, so
 * its TCP socket (kept as `raw`) is reset instead.
 */
export function resetSocket(socket: net.Socket): void {
  const raw = (socket as ConnSocket).raw;
  if (raw) {
    socket.destroy();
    if (!raw.destroyed) raw.resetAndDestroy();
  } else socket.resetAndDestroy();
}

/**
 * A client connection over tcp (length-prefixed frames), ws (RFC 6455 after an upgrade) or http (HTTP/1.1 responses).
 */
export class Conn {
  socket: ConnSocket | null = null;
  state = CONNECTING;
  /** Next request seq (u32, wraps). */
  seq = 0;
  /** Requests in flight, oldest first; null when none (idle connections hold no array). */
  pending: Pending[] | null = null;
  decoder: FrameDecoder | ServerFrameDecoder | HttpResponseParser | null = null;
  /** ws: the upgrade response parser, only during the handshake. */
  handshake: UpgradeResponseParser | null = null;
  /** When connecting started (nowUs). */
  startUs = 0;

  constructor(
    readonly owner: ConnOwner,
    /** Index within its shard. */
    readonly index: number,
    readonly target: Target,
  ) {}

  /** Starts connecting; failures arrive through owner.lost. */
  connect(startUs: number, localAddress: string | undefined, localPort: number | undefined): void {
    this.startUs = startUs;
    if (this.target.tls) {
      this.connectTls(localAddress, localPort);
      return;
    }
    // `onread` is read by the Socket constructor (net.connect passes its options there too);
    // @types/node only declares it on the connect options.
    const options = { onread: { buffer: this.owner.readBuffer, callback: onRead } } as net.SocketConstructorOpts;
    const socket = new net.Socket(options) as ConnSocket;
    socket.conn = this;
    this.socket = socket;
    socket.on('connect', onConnect);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.connect({ port: this.target.port, host: this.target.host, localAddress, localPort, noDelay: true });
  }

  /** Connects inside TLS, accepting the server's self-signed certificate; 'connect' fires after the handshake. */
  private connectTls(localAddress: string | undefined, localPort: number | undefined): void {
    const { host, port } = this.target;
    // TLS sockets cannot read into the pool's shared buffer (`onread`): they get 'data' events.
    const raw = new net.Socket();
    raw.on('error', () => {});
    raw.connect({ host, port, localAddress, localPort, noDelay: true });
    const servername = host.startsWith('127.') || host === '::1' ? 'localhost' : host;
    const socket = tls.connect({ socket: raw, rejectUnauthorized: false, servername }) as unknown as ConnSocket;
    socket.conn = this;
    socket.raw = raw;
    this.socket = socket;
    socket.on('secureConnect', onConnect);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  /**
   * Writes `bytes` straight to the handle, uncopied: HELD when a rest waits in the queue, which then
   * owns `bytes` (never to be changed again); SENT when the kernel took it all; FAILED when the
   * connection is not open or the write failed.
   */
  write(bytes: Buffer): WriteOutcome {
    const socket = this.socket;
    if (socket === null || this.state !== OPEN) return FAILED;
    return writeLent(socket, bytes);
  }

  /**
   * Starts closing: RST (resetAndDestroy: no TIME_WAIT on either side), or FIN when `rst` is
   * false, after which the state is CLOSING until the peer's FIN arrives (owner.lost 'EOF').
   */
  close(rst: boolean): void {
    const socket = this.socket;
    if (socket === null || socket.destroyed) return;
    if (rst) resetSocket(socket);
    else {
      this.state = CLOSING;
      socket.end();
    }
  }

  /** Bytes received after connect (or after the upgrade head). */
  chunk(data: Buffer): void {
    if (this.state === UPGRADING) {
      const rest = (this.handshake as UpgradeResponseParser).push(data);
      if (rest === null) return;
      this.handshake = null;
      this.decoder = new ServerFrameDecoder(this.owner.maxFrameBytes, wsHandlers);
      this.owner.opened(this);
      // opened() may close the connection again (a phase that is over).
      if (rest.length === 0 || (this.state as number) !== OPEN) return;
      data = rest;
    }
    if (this.target.transport === 'http') {
      const parser = (this.decoder ??= new HttpResponseParser(
        this.owner.maxFrameBytes,
        onHttpResponse,
      )) as HttpResponseParser;
      current = this;
      parser.push(data);
      // As for tcp: no parser while no response is due (the pool may also have replaced the socket).
      if (this.pending === null && parser.idle && this.decoder === parser) this.decoder = null;
    } else if (this.target.transport === 'tcp') {
      const decoder = (this.decoder ??= new FrameDecoder(this.owner.maxFrameBytes, onTcpFrame)) as FrameDecoder;
      current = this;
      decoder.push(data);
      // Idle between replies: drop the decoder (and its header buffer) until the next one is due.
      if (this.pending === null && decoder.idle && this.decoder === decoder) this.decoder = null;
    } else {
      current = this;
      (this.decoder as ServerFrameDecoder).push(data);
    }
  }
}

/** The connection whose bytes are being decoded (decoders call back synchronously). */
let current: Conn;

function onTcpFrame(body: Buffer): void {
  current.owner.frame(current, body, 0, body.length, OPCODE_BINARY);
}

function onHttpResponse(status: number, body: Buffer, _close: boolean, headBytes: number): void {
  current.owner.frame(current, body, 0, body.length, status, headBytes);
}

const wsHandlers: ServerFrameHandlers = {
  onMessage(opcode, payload) {
    current.owner.frame(current, payload, 0, payload.length, opcode);
  },
  onPing(payload) {
    current.write(encodeClientFrame(OPCODE_PONG, payload));
  },
  onPong(payload) {
    // A pong answers one of our pings; otherwise unsolicited pongs are allowed and ignored (RFC 6455 §5.5.3).
    if (current.owner.pongReplies) current.owner.frame(current, payload, 0, payload.length, OPCODE_PONG);
  },
  onClose() {
    current.owner.lost(current, 'C1M_WS_CLOSED');
  },
};

function onConnect(this: ConnSocket): void {
  const conn = this.conn;
  if (conn.state !== CONNECTING) return;
  if (conn.target.transport !== 'ws') {
    conn.owner.opened(conn);
    return;
  }
  const key = makeWsKey();
  conn.handshake = new UpgradeResponseParser(key);
  conn.state = UPGRADING;
  const { host, port, path } = conn.target;
  this.write(buildUpgradeRequest(`${host.includes(':') ? `[${host}]` : host}:${port}`, path, key));
}

function onRead(this: ConnSocket, nread: number, buffer: Buffer): void {
  const conn = this.conn;
  if (conn.state === CLOSED || conn.state === CLOSING) return;
  try {
    // The usual read: exactly one whole reply and nothing half-decoded before it. Its body goes
    // out where it lies in the read buffer, without the decoder (tcp: created per reply otherwise).
    const transport = conn.target.transport;
    if (conn.state === OPEN && transport !== 'http') {
      const at = transport === 'tcp' ? wholeTcpFrame(conn, buffer, nread) : wholeWsFrame(conn, buffer, nread);
      if (at > 0) {
        // tcp frames are binary; a ws frame's opcode is the low nibble of its first byte.
        conn.owner.frame(conn, buffer, at, nread, transport === 'tcp' ? OPCODE_BINARY : buffer[0]! & 0x0f);
        return;
      }
    }
    conn.chunk(buffer.subarray(0, nread));
  } catch (err) {
    conn.owner.lost(conn, failureCause(err));
    if (!isC1mError(err)) throw err;
  }
}

/**
 * Where the body starts when `buffer[0..nread)` is exactly one tcp frame within maxFrameBytes and no
 * frame is half-decoded; else -1.
 */
function wholeTcpFrame(conn: Conn, buffer: Buffer, nread: number): number {
  if (conn.decoder !== null && !(conn.decoder as FrameDecoder).idle) return -1;
  if (nread < FRAME_HEADER_BYTES) return -1;
  const length = readU32BE(buffer, 0);
  return length === nread - FRAME_HEADER_BYTES && length <= conn.owner.maxFrameBytes ? FRAME_HEADER_BYTES : -1;
}

/**
 * Where the payload starts when `buffer[0..nread)` is exactly one final, unmasked binary frame
 * (or a pong, when pongs are replies) of up to 65535 bytes within maxFrameBytes, and the decoder
 * is between frames; else -1. Everything else (text to validate, control frames, fragments,
 * errors) goes through the decoder.
 */
function wholeWsFrame(conn: Conn, buffer: Buffer, nread: number): number {
  if (nread < 2 || !(conn.decoder as ServerFrameDecoder).idle) return -1;
  const b0 = buffer[0]!;
  if (b0 !== 0x80 + OPCODE_BINARY && (b0 !== 0x80 + OPCODE_PONG || !conn.owner.pongReplies)) return -1;
  const b1 = buffer[1]!;
  let at = 2;
  let length = b1;
  if (b1 === 126) {
    if (nread < 4) return -1;
    at = 4;
    length = (buffer[2]! << 8) | buffer[3]!;
  } else if (b1 > 126) return -1; // masked, or a 64-bit length
  if (b0 === 0x80 + OPCODE_PONG && length > 125) return -1;
  return nread === at + length && length <= conn.owner.maxFrameBytes ? at : -1;
}

function onData(this: ConnSocket, chunk: Buffer): void {
  onRead.call(this, chunk.length, chunk);
}

function onError(this: ConnSocket, err: NodeJS.ErrnoException): void {
  this.conn.owner.lost(this.conn, failureCause(err));
}

function onClose(this: ConnSocket): void {
  this.conn.owner.lost(this.conn, END_OF_STREAM);
}
