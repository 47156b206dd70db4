// The http transport on node:http (protocol README 1.3), for conn-per-socket: node:http owns
// each socket (parsing, keep-alive, pipelined responses kept in order); this module adds the
// workload's body, the descriptor budget, the count of bad requests (400/431 and close) and drain.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TlsMaterial } from '@c1m/server-contract';
import { HTTP_MAX_HEAD_BYTES } from '@c1m/protocol';
import type { ConnectionGate } from './connection-gate.ts';
import type { StatsCounters } from './stats-counters.ts';
import type { FrameHandler } from './workload-handler.ts';
import { DRAIN_QUIET_MS, sleep } from './drain.ts';

/** What the server needs from its owner. */
export interface NodeHttpContext {
  host: string;
  port: number;
  counters: StatsCounters;
  gate: ConnectionGate;
  handle: FrameHandler;
  /** https: serve inside TLS with this key and certificate. */
  tlsMaterial?: TlsMaterial;
}

/** A listening node:http server. */
export interface NodeHttpServer {
  port: number;
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

const NO_BODY = Buffer.alloc(0);
/** A head that does not complete within this is a client that stalls; node closes it (408). */
const HEADERS_TIMEOUT_MS = 10_000;

/** The size of a request's head as sent: request line, headers, blank line (as uws-http counts it). */
function headBytes(req: IncomingMessage): number {
  let n = (req.method ?? '').length + (req.url ?? '').length + 12;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += raw[i]!.length + raw[i + 1]!.length + 4;
  return n + 2;
}

/** Listens on ctx.host:ctx.port and answers GET with the workload's body. */
export async function listenNodeHttp(ctx: NodeHttpContext): Promise<NodeHttpServer> {
  const { counters, gate } = ctx;
  let owed = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    counters.frameIn(headBytes(req));
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-length': 0 }).end();
      return;
    }
    owed++;
    Promise.resolve()
      .then(() => ctx.handle(NO_BODY))
      .then(
        (body) => {
          owed--;
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
          counters.frameOut(body.length);
        },
        () => {
          owed--;
          res.writeHead(500, { connection: 'close', 'content-length': 0 }).end();
        },
      );
  };
  const plain = { maxHeaderSize: HTTP_MAX_HEAD_BYTES, noDelay: true };
  const tls = ctx.tlsMaterial;
  const server = tls
    ? createHttpsServer({ ...plain, key: tls.key, cert: tls.cert }, onRequest)
    : createServer(plain, onRequest);
  // Idle keep-alive connections stay open for as long as the client keeps them (a benchmark's
  // 1000 connections must not be closed under it after node's 5-second default).
  server.keepAliveTimeout = 0;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = 0;
  // Counted at TCP accept (before any TLS handshake), like the descriptor it costs.
  server.on('connection', (socket: Socket) => {
    if (!gate.tryAdmit()) {
      counters.refused();
      socket.resetAndDestroy();
      return;
    }
    counters.connectionOpened();
    socket.once('close', () => {
      gate.release();
      counters.connectionClosed();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // A reset while idle is a client leaving (keep-alive off ends with RST), not a bad request.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    counters.protocolError('C1M_HTTP_BAD_REQUEST');
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ctx.host, port: ctx.port, backlog: 4096 }, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : ctx.port,
    close: async (deadlineMs) => {
      const deadline = Date.now() + deadlineMs;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests already sent may still sit unread in a socket that looks idle: read them first.
      await sleep(Math.min(DRAIN_QUIET_MS, deadlineMs));
      server.closeIdleConnections();
      while (owed > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const forced = owed > 0;
      // Connections that were busy are idle now that their responses went out.
      server.closeAllConnections();
      await stopped;
      return { forced };
    },
  };
}
