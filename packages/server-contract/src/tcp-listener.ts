// A node:net listener for wire protocol v1 shared by every TCP server: fd budget, session
// tracking and graceful drain. How a session reads its socket is the architecture's choice,
// passed in as `serve` (see readWithEvents below for the event-loop style).
import { createServer, type Server, type Socket } from 'node:net';
import type { ConnectionGate } from './connection-gate.ts';
import { TcpSession, type TcpSessionContext } from './tcp-session.ts';

/** Reads a session's socket until it closes; the architecture's per-connection code. */
export type ServeSession = (session: TcpSession) => void;

/** A listening TCP server. */
export interface TcpListener {
  server: Server;
  port: number;
  /** Stops accepting, lets owed replies go out, ends connections; forced at the deadline. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

/** Options of listenTcp. */
export interface TcpListenOptions {
  host: string;
  port: number;
  /** The descriptor budget (shared with uWS listeners of the same process): beyond it new connections are reset and counted as refused. */
  gate: ConnectionGate;
  context: TcpSessionContext;
  serve: ServeSession;
  /** Accept through an existing handle (prefork children inheriting the parent's socket). */
  handle?: unknown;
  /** Share the port with sibling processes (node:cluster) instead of binding exclusively. */
  exclusive?: boolean;
}

/** How long a drain keeps reading before ending connections, so bytes already sent are answered. */
const DRAIN_QUIET_MS = 100;

/** Starts listening; resolves once accepting. */
export function listenTcp(opts: TcpListenOptions): Promise<TcpListener> {
  const sessions = new Set<TcpSession>();
  const { counters } = opts.context;
  const arrivals = { count: 0 };
  const server = createServer({ noDelay: true, allowHalfOpen: true }, (socket: Socket) => {
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
    const session = new TcpSession(socket, opts.context);
    sessions.add(session);
    counters.connectionOpened();
    socket.on('error', () => session.markClosed());
    socket.on('close', () => {
      session.markClosed();
      sessions.delete(session);
      opts.gate.release();
      counters.connectionClosed();
    });
    opts.serve(session);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const onListening = () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      resolve({ server, port, close: (deadlineMs) => drain(server, sessions, arrivals, deadlineMs) });
    };
    if (opts.handle) server.listen(opts.handle as never, onListening);
    else server.listen({ host: opts.host, port: opts.port, exclusive: opts.exclusive ?? true, backlog: 4096 }, onListening);
  });
}

async function drain(server: Server, sessions: Set<TcpSession>, arrivals: { count: number }, deadlineMs: number): Promise<{ forced: boolean }> {
  const deadline = Date.now() + deadlineMs;
  const quietUntil = Date.now() + Math.min(DRAIN_QUIET_MS, deadlineMs);
  // Connections the kernel completed before the signal wait in the accept queue, and their frames
  // were sent before it too; closing the listener would reset them. Node accepts one connection
  // per loop turn, so keep turning until a turn accepts none (bounded by the quiet period). From a
  // check-phase callback, the next setImmediate runs only after the next turn's poll phase.
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
  await nextTurn();
  let seen: number;
  do {
    seen = arrivals.count;
    await nextTurn();
  } while (seen !== arrivals.count && Date.now() < quietUntil);
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await sleep(Math.max(0, quietUntil - Date.now()));
  for (const s of sessions) s.endWhenSettled();
  while (sessions.size > 0 && Date.now() < deadline) await sleep(20);
  const forced = sessions.size > 0;
  for (const s of sessions) s.socket.resetAndDestroy();
  await stopped;
  return { forced };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The event-loop style: a 'data' callback per chunk, pausing the socket under backpressure. */
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
