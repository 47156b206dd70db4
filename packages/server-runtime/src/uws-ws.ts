// Wire protocol v1 over WebSocket on one uWebSockets.js app: the behaviour every uWS-based
// server shares (single-loop, multi-loop, prefork, worker-pool, io-bound, cpu-bound). Per-socket
// state is nothing unless a reply is asynchronous; counting, fd budget, backpressure and drain live here.
import { isC1mError } from '@c1m/protocol';
import { loadUws, type Uws } from '@c1m/uws';
import type { ConnectionGate } from './connection-gate.ts';
import { DRAIN_QUIET_MS, endWhenSettled, sleep } from './drain.ts';
import type { StatsCounters } from './stats-counters.ts';
import type { TlsMaterial } from '@c1m/server-contract';
import { createUwsApp } from './uws-app.ts';
import type { FrameHandler } from './workload-handler.ts';

type App = ReturnType<Uws['App']>;
type ListenSocket = unknown;
/** The uWS WebSocket handle, with the one field this module may set on it. */
interface Ws {
  send(message: ArrayBuffer | Uint8Array, isBinary?: boolean): number;
  end(code?: number, reason?: string): void;
  close(): void;
  getBufferedAmount(): number;
  getUserData(): SocketData;
}
interface SocketData {
  /** Tail of the ordered chain of async replies; absent for synchronous workloads. */
  tail?: Promise<void>;
  inFlight?: number;
  /** Set while the unsent output is past the soft limit, so each crossing is counted once. */
  overSoft?: boolean;
  /** Set when this server closes the socket itself, so its close is not counted as abnormal. */
  closedHere?: boolean;
}

/** What the app needs from its server. */
export interface UwsWsContext {
  counters: StatsCounters;
  gate: ConnectionGate;
  handle: FrameHandler;
  asyncHandler: boolean;
  /**
   * True for echo: the reply is the request, sent back with the request's opcode. With a
   * synchronous handler the loop answers directly; an async handler (a reactor handing frames to
   * worker threads) still computes the reply and the request's opcode is kept.
   */
  echo: boolean;
  maxFrameBytes: number;
  /**
   * Unsent output past which a connection should stop being read. This uWS build's WebSockets have
   * no pause()/resume() (checked on 20.30: send, end, close, getBufferedAmount, cork… only), so the
   * crossing is counted (backpressureSoftOverruns) and /stats says reading is not paused; the hard
   * limit is what bounds a slow reader here.
   */
  softBytes: number;
  hardBytes: number;
  /**
   * Sibling threads or processes will listen on the same port. uSockets sets SO_REUSEPORT only on
   * a port given by number, so with port 0 the port picked is bound again by number before use.
   */
  sharedPort?: boolean;
  /** wss: serve inside TLS with this key and certificate. */
  tls?: TlsMaterial;
}

/** A listening uWS WebSocket server (one loop). */
export interface UwsWsServer {
  port: number;
  /** Stops accepting, lets owed replies go out, closes connections; forced at the deadline. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

/** uWS send() result when it dropped the message (buffered output over maxBackpressure). */
const SEND_DROPPED = 2;

/** uWS reports these close messages when it drops a peer for breaking the protocol. */
const CLOSE_REASON_CODES = {
  'Received invalid UTF-8': 'C1M_WS_INVALID_UTF8',
  'Received too big message': 'C1M_WS_FRAME_TOO_LARGE',
} as const;

/**
 * After the last end(): how long the loop stays up so peers read their replies, stop sending and
 * answer the close. uWS runs the close handler at end(), before the socket is really closed; if the
 * process exits while a peer's late frames sit unread in the kernel, the kernel resets the socket
 * and drops replies still queued for sending (seen: 36 of 851 lost by a client sending throughout).
 */
const DRAIN_LINGER_MS = 300;

/** Creates the app, listens on host:port (0 = any; shared with siblings via SO_REUSEPORT). */
export function listenUwsWs(host: string, port: number, ctx: UwsWsContext): Promise<UwsWsServer> {
  const { uws } = loadUws();
  const app: App = createUwsApp(ctx.tls);
  const sockets = new Set<Ws>();
  const { counters, gate } = ctx;
  /** Set when a drain stops reading: messages arriving later are dropped uncounted (nothing more is owed). */
  const phase = { reading: true };
  counters.markSoftLimitUnpausable();

  const sendReply = (ws: Ws, reply: Uint8Array, isBinary: boolean) => {
    // framesOut counts only replies uWS took; a dropped one is not on its way to the peer.
    if (ws.send(reply, isBinary) !== SEND_DROPPED) counters.frameOut(reply.byteLength);
    const buffered = ws.getBufferedAmount();
    if (buffered > ctx.hardBytes) {
      counters.backpressureClose();
      ws.getUserData().closedHere = true;
      ws.close();
    } else if (buffered > ctx.softBytes) {
      const data = ws.getUserData();
      if (!data.overSoft) {
        data.overSoft = true;
        counters.backpressureSoftOverrun();
      }
    }
  };
  const fail = (ws: Ws, err: unknown) => {
    if (isC1mError(err)) counters.protocolError(err.code);
    // 1013 "try again later" tells a shed client the server was busy, not that it misbehaved.
    ws.end(isC1mError(err, 'C1M_OVERLOADED') ? 1013 : 1008, isC1mError(err) ? err.code : 'internal error');
  };

  app.ws('/*', {
    maxPayloadLength: ctx.maxFrameBytes,
    maxBackpressure: ctx.hardBytes * 2,
    idleTimeout: 0,
    sendPingsAutomatically: false,
    upgrade: (res, req, context) => {
      if (!gate.tryAdmit()) {
        counters.refused();
        res.writeStatus('503 Service Unavailable').end('connection budget spent', true);
        return;
      }
      res.upgrade<SocketData>(
        {},
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws as unknown as Ws);
      counters.connectionOpened();
    },
    message: (wsIn, message, isBinary) => {
      if (!phase.reading) return;
      const ws = wsIn as unknown as Ws;
      counters.frameIn(message.byteLength);
      if (ctx.echo && !ctx.asyncHandler) return sendReply(ws, new Uint8Array(message), isBinary);
      if (!ctx.asyncHandler) {
        try {
          return sendReply(ws, ctx.handle(Buffer.from(message)) as Buffer, true);
        } catch (err) {
          return fail(ws, err);
        }
      }
      // The message memory is only valid during this callback: copy it here, before any await.
      const data = ws.getUserData();
      const body = Buffer.from(message.slice(0));
      const replyBinary = ctx.echo ? isBinary : true;
      const reply = Promise.resolve().then(() => ctx.handle(body));
      // Its rejection is read only when the replies before it are sent; until then it must not
      // count as unhandled (which would end the process).
      reply.catch(() => {});
      data.inFlight = (data.inFlight ?? 0) + 1;
      data.tail = (data.tail ?? Promise.resolve()).then(() =>
        reply.then(
          (r) => {
            data.inFlight! -= 1;
            if (sockets.has(ws)) sendReply(ws, r, replyBinary);
          },
          (err) => {
            data.inFlight! -= 1;
            if (sockets.has(ws)) fail(ws, err);
          },
        ),
      );
    },
    drain: (wsIn) => {
      const data = (wsIn as unknown as Ws).getUserData();
      if (data.overSoft && wsIn.getBufferedAmount() <= ctx.softBytes) data.overSoft = false;
    },
    close: (wsIn, code, message) => {
      const ws = wsIn as unknown as Ws;
      sockets.delete(ws);
      gate.release();
      counters.connectionClosed();
      if (code === 1006 && !ws.getUserData().closedHere) {
        const reason = Buffer.from(message).toString() as keyof typeof CLOSE_REASON_CODES;
        const errorCode = CLOSE_REASON_CODES[reason];
        // A drop uWS does not name looks like a peer's reset: counted apart (see ServerStats.wsAbnormalCloses).
        if (errorCode) counters.protocolError(errorCode);
        else counters.wsAbnormalClose();
      }
    },
  });

  return bindPort(uws, app, host, port, ctx.sharedPort ?? false).then((listenSocket) => ({
    port: uws.us_socket_local_port(listenSocket as never),
    close: (deadlineMs) => drain(uws, app, listenSocket, sockets, phase, deadlineMs),
  }));
}

/** Tries to pick a shareable port this many times before giving up. */
const SHARED_PORT_ATTEMPTS = 5;

/**
 * Listens on host:port; with `shared` and port 0, re-binds the picked port by number (see UwsWsContext). Shared with
 * uws-http.
 */
export async function bindPort(uws: Uws, app: App, host: string, port: number, shared: boolean): Promise<ListenSocket> {
  const listen = (p: number) =>
    new Promise<ListenSocket | false>((resolve) => app.listen(host, p, (s: ListenSocket) => resolve(s || false)));
  for (let attempt = 0; attempt < SHARED_PORT_ATTEMPTS; attempt++) {
    const socket = await listen(port);
    if (!socket) break;
    if (port !== 0 || !shared) return socket;
    const picked = uws.us_socket_local_port(socket as never);
    uws.us_listen_socket_close(socket as never);
    // Another socket may take the port in the moment it is free: then pick another one.
    const again = await listen(picked);
    if (again) return again;
  }
  throw new Error(`uWS could not listen on ${host}:${port}`);
}

/**
 * Stops accepting, answers what arrives during a quiet period, then stops reading and ends each
 * WebSocket (1001) once its owed replies are computed and sent: uWS runs the close handler at
 * end() and the process may exit soon after, so output still buffered in uWS would be lost.
 */
async function drain(
  uws: Uws,
  app: App,
  listenSocket: ListenSocket,
  sockets: Set<Ws>,
  phase: { reading: boolean },
  deadlineMs: number,
): Promise<{ forced: boolean }> {
  const deadline = Date.now() + deadlineMs;
  uws.us_listen_socket_close(listenSocket as never);
  await sleep(Math.min(DRAIN_QUIET_MS, deadlineMs));
  phase.reading = false;
  const ended = await endWhenSettled(
    sockets,
    (ws) => (ws.getUserData().inFlight ?? 0) > 0 || ws.getBufferedAmount() > 0,
    (ws) => ws.end(1001, 'server shutting down'),
    deadline,
  );
  const forced = sockets.size > 0;
  for (const ws of sockets) {
    ws.getUserData().closedHere = true;
    ws.close();
  }
  if (ended > 0) await sleep(Math.max(0, Math.min(DRAIN_LINGER_MS, deadline - Date.now())));
  // close() exists on the native app though the bundled typings omit it.
  (app as unknown as { close(): void }).close();
  return { forced };
}
