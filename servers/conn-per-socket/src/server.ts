// Connection-per-socket: every connection gets its own coroutine (an async function looping
// `for await` over its socket), the Node analogue of a goroutine per connection. TCP on node:net;
// WebSocket through the `ws` library, one coroutine per WebSocket; HTTP on node:http (which owns
// each socket and calls a handler per request: the per-connection loop is node's own).
import pkg from '../package.json' with { type: 'json' };
import {
  ConnectionGate,
  createWorkloadHandler,
  listenLoop,
  listenNodeHttp,
  processBudget,
  singleProcessServer,
  specFromPackage,
  StatsCounters,
  watchEventLoopDelay,
  type RunningServer,
  type ServerOptions,
  type TcpSession,
} from '@c1m/server-contract';
import { listenWebSocket } from './ws-server.ts';

export const spec = specFromPackage(pkg, false);

/** The coroutine of one TCP connection: read, answer, wait when the peer reads slowly. */
export async function serveCoroutine(session: TcpSession): Promise<void> {
  try {
    for await (const chunk of session.socket) {
      if (!session.onChunk(chunk as Buffer)) return;
      if (session.mustWait) await session.ready();
    }
    session.endWhenSettled();
  } catch {
    // reset by the peer: the listener's close handler accounts for it
  }
}

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const counters = new StatsCounters();
  const stopWatching = watchEventLoopDelay(counters);
  const handler = await createWorkloadHandler(options);
  const listener =
    options.transport === 'tcp'
      ? await listenLoop(options, handler, { counters, serveTcp: (session) => void serveCoroutine(session) })
      : options.transport === 'http'
        ? await listenNodeHttp({ ...options, counters, gate: new ConnectionGate(processBudget()), handle: handler.handle })
        : await listenWebSocket(options, counters, handler, processBudget());
  return singleProcessServer({
    architecture: spec.name,
    port: listener.port,
    threads: 1,
    collect: () => [counters.snapshot()],
    drain: (deadlineMs) => listener.close(deadlineMs),
    handler,
    dispose: stopWatching,
  });
}
