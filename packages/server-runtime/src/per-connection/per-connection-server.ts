// Connection-per-socket: every connection gets its own coroutine (an async function looping
// `for await` over its socket), the Node analogue of a goroutine per connection. TCP on node:net;
// WebSocket through the `ws` library, one coroutine per WebSocket (ws-library.ts). conn-per-socket
// is this server; io-bound runs it as its `--style per-connection`.
import type { RunningServer, ServerOptions } from '@c1m/server-contract';
import { ConnectionGate } from '../connection-gate.ts';
import { watchEventLoopDelay } from '../event-loop-delay.ts';
import { listenLoop } from '../loop-server.ts';
import { listenNodeHttp } from '../node-http.ts';
import { processBudget, singleProcessServer } from '../single-process.ts';
import { StatsCounters } from '../stats-counters.ts';
import type { TcpSession } from '../tcp-session.ts';
import { createWorkloadHandler } from '../workload-handler.ts';
import { listenWebSocket } from './ws-library.ts';

/** The coroutine of one TCP connection: read, answer, wait when the peer reads slowly. */
async function serveCoroutine(session: TcpSession): Promise<void> {
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

/** What a per-connection server is made of. */
export interface PerConnectionServerParts {
  /** Reported in /stats. */
  architecture: string;
  options: ServerOptions;
}

/** Listens on options.host:port over options.transport with one coroutine per connection. */
export async function startPerConnectionServer(parts: PerConnectionServerParts): Promise<RunningServer> {
  const { options } = parts;
  const counters = new StatsCounters();
  const stopWatching = watchEventLoopDelay(counters);
  const handler = await createWorkloadHandler(options);
  const listener =
    options.transport === 'tcp'
      ? await listenLoop(options, handler, { counters, serveTcp: (session) => void serveCoroutine(session) })
      : options.transport === 'http'
        ? // node:http owns each socket and calls a handler per request: the per-connection loop is node's own.
          await listenNodeHttp({
            ...options,
            counters,
            gate: new ConnectionGate(processBudget()),
            handle: handler.handle,
          })
        : await listenWebSocket(options, counters, handler, processBudget());
  return singleProcessServer({
    architecture: parts.architecture,
    port: listener.port,
    threads: 1,
    collect: () => [counters.snapshot()],
    drain: (deadlineMs) => listener.close(deadlineMs),
    handler,
    dispose: stopWatching,
  });
}
