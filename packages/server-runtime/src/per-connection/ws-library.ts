// WebSocket side of connection-per-socket: the `ws` library on a node:http server, one coroutine
// per WebSocket consuming its messages in order. Upgrade errors, RFC 6455 violations and the
// connection budget are counted here.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { C1mErrorCode } from '@c1m/protocol';
import { isC1mError } from '@c1m/protocol';
import type { ServerOptions } from '@c1m/server-contract';
import { DRAIN_QUIET_MS, endWhenSettled, sleep } from '../drain.ts';
import type { StatsCounters } from '../stats-counters.ts';
import type { WorkloadHandler } from '../workload-handler.ts';
import { messages, type Owed } from './ws-messages.ts';

/** ws error codes mapped to c1m's. */
const WS_ERROR_CODES: Record<string, C1mErrorCode> = {
  WS_ERR_INVALID_UTF8: 'C1M_WS_INVALID_UTF8',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'C1M_WS_FRAME_TOO_LARGE',
};

const HEADERS_TIMEOUT_MS = 10_000;

/** Listens for WebSocket clients; resolves with the port and a drain function. */
export async function listenWebSocket(
  options: ServerOptions,
  counters: StatsCounters,
  handler: WorkloadHandler,
  maxConnections: number,
): Promise<{ port: number; close(deadlineMs: number): Promise<{ forced: boolean }> }> {
  const onRequest = (_req: IncomingMessage, res: ServerResponse) =>
    res.writeHead(426, { connection: 'close' }).end('WebSocket only\n');
  // wss: the same server inside TLS.
  const tls = options.tlsMaterial;
  const http = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest) : createServer(onRequest);
  http.headersTimeout = HEADERS_TIMEOUT_MS;
  http.requestTimeout = HEADERS_TIMEOUT_MS;
  http.maxConnections = maxConnections;
  http.on('drop', () => counters.refused());
  http.on('clientError', (_err, socket: Duplex) => {
    counters.protocolError('C1M_HTTP_UPGRADE');
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes, perMessageDeflate: false });
  const sockets = new Map<WebSocket, Owed>();
  /** Cleared when a drain stops reading: messages arriving later are dropped uncounted (nothing more is owed). */
  const phase = { reading: true };
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    wss.handleUpgrade(req, socket, head, (ws) => {
      const state: Owed = { owed: 0 };
      sockets.set(ws, state);
      counters.connectionOpened();
      let violated = false;
      ws.on('error', (err: Error & { code?: string }) => {
        if (!err.code?.startsWith('WS_ERR_')) return;
        violated = true;
        counters.protocolError(WS_ERROR_CODES[err.code] ?? 'C1M_WS_PROTOCOL');
      });
      ws.on('close', (code: number) => {
        // No closing handshake and no violation named: a peer that reset or vanished. (After a
        // violation ws stops reading, so it never sees the peer's close frame and reports 1006.)
        if (code === 1006 && !violated) counters.wsAbnormalClose();
        sockets.delete(ws);
        counters.connectionClosed();
      });
      void serveWebSocket(ws, state, phase, options, counters, handler);
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen({ host: options.host, port: options.port, backlog: 4096 }, () => resolve());
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    port,
    close: async (deadlineMs) => {
      const deadline = Date.now() + deadlineMs;
      http.close();
      await sleep(Math.min(DRAIN_QUIET_MS, deadlineMs));
      phase.reading = false;
      // A socket is closed once every message it sent has been answered (async workloads may still owe some).
      const owes = (ws: WebSocket) => (sockets.get(ws)?.owed ?? 0) > 0;
      await endWhenSettled(sockets, owes, (ws) => ws.close(1001, 'server shutting down'), deadline);
      const forced = sockets.size > 0;
      for (const ws of sockets.keys()) ws.terminate();
      http.closeAllConnections();
      return { forced };
    },
  };
}

/** The coroutine of one WebSocket: each message answered in order, reading paused under backpressure. */
async function serveWebSocket(
  ws: WebSocket,
  state: Owed,
  phase: { reading: boolean },
  options: ServerOptions,
  counters: StatsCounters,
  handler: WorkloadHandler,
): Promise<void> {
  for await (const [body, isBinary] of messages(ws, state, () => phase.reading)) {
    // Once the peer is closing a reply could not be sent: do not count the request as received
    // (ws would drop the send silently and framesOut would lie).
    if (ws.readyState !== ws.OPEN) {
      state.owed--;
      continue;
    }
    counters.frameIn(body.length);
    let reply: Buffer;
    try {
      reply = options.workload === 'echo' ? body : await handler.handle(body);
    } catch (err) {
      if (isC1mError(err)) counters.protocolError(err.code);
      ws.close(1008, isC1mError(err) ? err.code : 'internal error');
      return;
    }
    state.owed--;
    // An async reply may finish after the peer closed: then it is not sent and not counted.
    if (ws.readyState !== ws.OPEN) continue;
    ws.send(reply, { binary: options.workload === 'echo' ? isBinary : true });
    counters.frameOut(reply.length);
    if (ws.bufferedAmount > options.backpressureHardBytes) {
      counters.backpressureClose();
      ws.terminate();
      return;
    }
    if (ws.bufferedAmount > options.backpressureSoftBytes) {
      counters.backpressurePause();
      ws.pause();
      await waitForDrain(ws);
      ws.resume();
    }
  }
}

function waitForDrain(ws: WebSocket): Promise<void> {
  const socket = (ws as unknown as { _socket: Duplex })._socket;
  return new Promise((resolve) => {
    socket.once('drain', resolve);
    ws.once('close', resolve);
  });
}
