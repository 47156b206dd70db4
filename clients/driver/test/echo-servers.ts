// Small echo servers for the driver's tests, started inside the test process on port 0:
// node:net with the protocol's FrameDecoder (optionally corrupting or dropping replies), and a
// `ws` WebSocketServer. Replies follow the workload definitions of @c1m/protocol.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  BODY_HEADER_BYTES,
  DEFAULT_IO_MAX_READ,
  DEFAULT_MAX_FRAME,
  FrameDecoder,
  cpuReply,
  encodeFrame,
  fillIoPattern,
  parseIoRequest,
  type Workload,
} from '@c1m/protocol';

/** A running test server. */
export interface TestServer {
  port: number;
  url: string;
  /** Connections accepted so far. */
  accepted(): number;
  /** ws servers: application messages and pings received. */
  frames?: () => { messages: number; pings: number };
  close(): Promise<void>;
}

export interface TcpEchoOptions {
  /** Flip a payload byte of every `corruptEvery`-th reply (0 = never). */
  corruptEvery?: number;
  /** Swallow every `dropEvery`-th request without replying (0 = never). */
  dropEvery?: number;
  /** What replies are (cpu: 1 SHA-256 round; io: the pattern computed in memory). */
  workload?: Workload;
  /** Answer every request this many milliseconds late (0 = at once). */
  delayMs?: number;
  /**
   * Stall once: when request number `afterFrames` arrives, answer nothing for `ms` milliseconds
   * (requests keep being read), then send every held reply at once, as a server whose loop was blocked.
   */
  stall?: { afterFrames: number; ms: number };
  /**
   * A slow reader: read one chunk every this many milliseconds (0 = as fast as bytes come). The
   * client's writes then back up in its socket's queue, as under a server that cannot keep up.
   */
  slowReadMs?: number;
  /**
   * Write the replies to each received chunk in pieces of this many bytes, one per loop turn, so
   * the client reads split headers, split bodies and the end of one frame with the start of the
   * next (0 = whole).
   */
  splitBytes?: number;
}

/** Makes `source` read one chunk (one 'data' or 'message' event) per `everyMs`; the timer stops when it closes. */
function readSlowly(
  source: { pause(): void; resume(): void; on(event: 'close', f: () => void): unknown },
  everyMs: number,
): () => void {
  source.pause();
  const timer = setInterval(() => source.resume(), everyMs);
  source.on('close', () => clearInterval(timer));
  return () => source.pause();
}

/** The correct reply to `body` under `workload`. */
function replyTo(body: Buffer, workload: Workload): Buffer {
  if (workload === 'cpu') return cpuReply(body, 1);
  if (workload === 'echo') return Buffer.from(body);
  const { offset, length } = parseIoRequest(body, DEFAULT_IO_MAX_READ);
  const reply = Buffer.allocUnsafe(BODY_HEADER_BYTES + length);
  body.copy(reply, 0, 0, BODY_HEADER_BYTES);
  fillIoPattern(reply.subarray(BODY_HEADER_BYTES), offset);
  return reply;
}

/** A node:net server speaking length-prefixed frames. */
export function startTcpEcho(options: TcpEchoOptions = {}): Promise<TestServer> {
  let accepted = 0;
  let frames = 0;
  let stallEndsAt = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const afterRead = options.slowReadMs ? readSlowly(socket, options.slowReadMs) : null;
    const split: Buffer[] = [];
    const decoder = new FrameDecoder(DEFAULT_MAX_FRAME, (body) => {
      frames++;
      if (options.dropEvery && frames % options.dropEvery === 0) return;
      const reply = replyTo(body, options.workload ?? 'echo');
      if (options.corruptEvery && frames % options.corruptEvery === 0) reply[reply.length - 1]! ^= 0xff;
      if (options.stall && frames === options.stall.afterFrames) stallEndsAt = Date.now() + options.stall.ms;
      const delayMs = Math.max(options.delayMs ?? 0, stallEndsAt - Date.now());
      if (delayMs > 0) setTimeout(() => socket.writable && socket.write(encodeFrame(reply)), delayMs);
      else if (options.splitBytes) split.push(encodeFrame(reply));
      else socket.write(encodeFrame(reply));
    });
    // One chain of pieces per socket: replies to a later chunk queue behind the earlier ones.
    let unsent = Buffer.alloc(0);
    const writePiece = () => {
      if (unsent.length === 0 || !socket.writable) return;
      socket.write(unsent.subarray(0, options.splitBytes));
      unsent = unsent.subarray(options.splitBytes);
      setImmediate(writePiece);
    };
    socket.on('data', (chunk) => {
      afterRead?.();
      try {
        decoder.push(chunk);
      } catch {
        socket.destroy();
      }
      if (split.length === 0) return;
      const idle = unsent.length === 0;
      unsent = Buffer.concat([unsent, ...split.splice(0)]);
      if (idle) writePiece();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        port,
        url: `tcp://127.0.0.1:${port}`,
        accepted: () => accepted,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A `ws` server echoing each message with its opcode (reading one message per `slowReadMs` when set). */
export function startWsEcho(options: { slowReadMs?: number } = {}): Promise<TestServer> {
  let accepted = 0;
  let messages = 0;
  let pings = 0;
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (ws) => {
    accepted++;
    // ws answers every ping with a pong of the same payload by itself; it is only counted here.
    ws.on('ping', () => pings++);
    const afterRead = options.slowReadMs ? readSlowly(ws, options.slowReadMs) : null;
    ws.on('message', (data, isBinary) => {
      afterRead?.();
      messages++;
      ws.send(data as Buffer, { binary: isBinary });
    });
    ws.on('error', () => {});
  });
  return new Promise((resolve) => {
    wss.on('listening', () => {
      const port = (wss.address() as AddressInfo).port;
      resolve({
        port,
        url: `ws://127.0.0.1:${port}/`,
        accepted: () => accepted,
        frames: () => ({ messages, pings }),
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}

/** The servers a test file starts: `start` them as needed, `closeAll` in afterAll. */
export function serverRegistry(): {
  start(server: Promise<TestServer>): Promise<TestServer>;
  closeAll(): Promise<void>;
} {
  const servers: TestServer[] = [];
  return {
    async start(server) {
      const s = await server;
      servers.push(s);
      return s;
    },
    async closeAll() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
