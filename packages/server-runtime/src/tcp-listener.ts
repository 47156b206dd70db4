// A node:net listener for wire protocol v1 shared by every TCP server: fd budget, session
// tracking and graceful drain. How a session reads its socket is the architecture's choice,
// passed in as `serve`: the event-loop style reads every connection into one buffer of the
// listener (see readIntoSharedBuffer below), other styles bring their own per-connection code.
import { acceptIntoBuffer } from '@c1m/net-direct';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { TlsMaterial } from '@c1m/server-contract';
import type { ConnectionGate } from './connection-gate.ts';
import { DRAIN_POLL_MS, DRAIN_QUIET_MS, sleep } from './drain.ts';
import { TcpSession, type TcpSessionContext } from './tcp-session.ts';

/** Reads a session's socket until it closes; the architecture's per-connection code. */
export type ServeSession = (session: TcpSession) => void;

/**
 * The event-loop style: each read of every connection lands in one buffer of the listener and is
 * decoded before the next (no Buffer, Readable push or 'data' event per read).
 */
export const SHARED_READ_BUFFER = 'shared-read-buffer';

/** A listening TCP server. */
export interface TcpListener {
  server: Server;
  port: number;
  /** Stops accepting, lets owed replies go out, ends connections; forced at the deadline. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
  /** The sessions open now. */
  readonly sessions: ReadonlySet<TcpSession>;
  /** Whether the listening socket is open (false while paused and once closing). */
  readonly accepting: boolean;
  /** Stops accepting new connections and keeps serving the ones held (no-op unless accepting). */
  pause(): void;
  /** Listens again after pause(); resolves once accepting (no-op once closing). */
  resume(): Promise<void>;
}

/** Options of listenTcp. */
export interface TcpListenOptions {
  host: string;
  port: number;
  /**
   * The descriptor budget (shared with uWS listeners of the same process): beyond it new connections are reset and
   * counted as refused.
   */
  gate: ConnectionGate;
  context: TcpSessionContext;
  serve: ServeSession | typeof SHARED_READ_BUFFER;
  /** Accept through an existing handle (prefork children inheriting the parent's socket). */
  handle?: unknown;
  /** Share the port with sibling processes (node:cluster) instead of binding exclusively. */
  exclusive?: boolean;
  /** Called with the process's connection count after each admission and each close. */
  onCount?: (current: number) => void;
  /** Serve inside TLS (node:tls) with this key and certificate; sessions start after the handshake. */
  tls?: TlsMaterial;
}

/** Starts listening; resolves once accepting. */
export function listenTcp(opts: TcpListenOptions): Promise<TcpListener> {
  const sessions = new Set<TcpSession>();
  const { counters } = opts.context;
  const arrivals = { count: 0 };
  const onSocket = (socket: Socket) => {
    arrivals.count++;
    // The budget is kept here rather than with server.maxConnections: under node:cluster's
    // round-robin a child over maxConnections hands the connection back to the primary, which
    // offers it to the next child, forever if all are full, and the client is never answered.
    // Past the budget a connection is reset (no TIME_WAIT left behind) and counted as refused.
    if (!opts.gate.tryAdmit()) {
      counters.refused();
      socket.resetAndDestroy();
      return;
    }
    opts.onCount?.(opts.gate.current);
    const session = new TcpSession(socket, opts.context);
    (socket as SessionSocket)[SESSION] = session;
    sessions.add(session);
    counters.connectionOpened();
    socket.on('error', () => session.markClosed());
    socket.on('close', () => {
      session.markClosed();
      sessions.delete(session);
      opts.gate.release();
      counters.connectionClosed();
      opts.onCount?.(opts.gate.current);
    });
    if (opts.serve !== SHARED_READ_BUFFER) opts.serve(session);
    else if (opts.tls) readWithEvents(session);
    else socket.on('end', () => session.endWhenSettled());
  };
  const server: Server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert, noDelay: true, allowHalfOpen: true }, onSocket)
    : createServer({ noDelay: true, allowHalfOpen: true }, onSocket);
  // TLS sockets decrypt through a stream of their own: they keep 'data' events.
  if (opts.serve === SHARED_READ_BUFFER && !opts.tls)
    acceptIntoBuffer(server, Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES), readIntoSharedBuffer, true);

  const listen = (onListening: () => void) => {
    if (opts.handle) server.listen(opts.handle as never, onListening);
    else
      server.listen(
        { host: opts.host, port: opts.port, exclusive: opts.exclusive ?? true, backlog: 4096 },
        onListening,
      );
  };
  let state: 'accepting' | 'paused' | 'closing' = 'accepting';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    listen(() => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      resolve({
        server,
        port,
        sessions,
        get accepting() {
          return state === 'accepting';
        },
        pause() {
          if (state !== 'accepting') return;
          state = 'paused';
          // Closes only the listening socket; sessions keep their sockets. Under node:cluster this
          // process leaves the shared socket, whose queue the siblings still accept from.
          server.close();
        },
        resume() {
          if (state !== 'paused') return Promise.resolve();
          state = 'accepting';
          return new Promise<void>((done, fail) => {
            const failed = (err: Error) => {
              if (state === 'accepting') state = 'paused';
              fail(err);
            };
            server.once('error', failed);
            listen(() => {
              server.off('error', failed);
              // A drain that began while this listen was under way closed nothing: close now.
              if (state === 'closing') server.close();
              done();
            });
          });
        },
        close: (deadlineMs) => {
          const wasAccepting = state === 'accepting';
          state = 'closing';
          return drain(server, sessions, arrivals, deadlineMs, wasAccepting);
        },
      });
    });
  });
}

async function drain(
  server: Server,
  sessions: Set<TcpSession>,
  arrivals: { count: number },
  deadlineMs: number,
  accepting: boolean,
): Promise<{ forced: boolean }> {
  const deadline = Date.now() + deadlineMs;
  const quietUntil = Date.now() + Math.min(DRAIN_QUIET_MS, deadlineMs);
  // Connections a client saw complete before the signal, with frames sent on them, must not be reset
  // by closing the listener. Under load the kernel can queue such a connection for accept late (its
  // last handshake segment handled by ksoftirqd after the client's connect returned), so the listener
  // keeps accepting through the whole quiet period, then while each loop turn still accepts one. A
  // connection starts reading as it is accepted, so the turn that accepts none reads the last one's bytes.
  // From a check-phase callback, the next setImmediate runs only after the next turn's poll phase.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  if (accepting) {
    await sleep(Math.max(0, quietUntil - Date.now()));
    let seen: number;
    do {
      seen = arrivals.count;
      await nextTurn();
    } while (seen !== arrivals.count && Date.now() < deadline);
  }
  // A paused server is closed already: its callback then fires (with ERR_SERVER_NOT_RUNNING) once its sessions are
  // gone.
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await sleep(Math.max(0, quietUntil - Date.now()));
  for (const s of sessions) s.endWhenSettled();
  while (sessions.size > 0 && Date.now() < deadline) await sleep(DRAIN_POLL_MS);
  const forced = sessions.size > 0;
  for (const s of sessions) s.socket.resetAndDestroy();
  await stopped;
  return { forced };
}

/** Bytes of a listener's shared read buffer (libuv's own suggestion for a read). */
const SHARED_READ_BUFFER_BYTES = 64 * 1024;

const SESSION = Symbol('c1m.tcpSession');
type SessionSocket = Socket & { [SESSION]?: TcpSession };

/**
 * A read of the shared buffer: decoded at once (a frame split across reads is copied by the
 * decoder; replies are copied by their write), so the next read may overwrite it. Returning false
 * stops reading under backpressure until the session is ready again.
 */
function readIntoSharedBuffer(this: Socket, length: number, bytes: Buffer): boolean | undefined {
  // A connection refused over budget has no session: it is being reset.
  const session = (this as SessionSocket)[SESSION];
  if (session === undefined) return false;
  if (!session.onChunk(bytes, length)) return false;
  if (!session.mustWait) return undefined;
  void session.ready().then(() => this.resume());
  return false;
}

/** The event-loop style over a stream (TLS): a 'data' callback per chunk, pausing the socket under backpressure. */
export function readWithEvents(session: TcpSession): void {
  const { socket } = session;
  socket.on('data', (chunk: Buffer) => {
    if (!session.onChunk(chunk)) return;
    if (session.mustWait) {
      socket.pause();
      void session.ready().then(() => socket.resume());
    }
  });
  // Half-open: the peer is done sending; answer what it sent, then close our side.
  socket.on('end', () => session.endWhenSettled());
}
