// A one-process server on one event loop, given the handler that computes replies: uWS for ws,
// node:net read with 'data' events for tcp. Servers that differ only in how replies are computed
// (io-bound, cpu-bound, worker-pool's reactor) start here instead of re-wiring counters,
// listener, drain and stats.
import { ConnectionGate } from './connection-gate.ts';
import { watchEventLoopDelay } from './event-loop-delay.ts';
import type { RunningServer, ServerOptions } from './options.ts';
import { processBudget, singleProcessServer } from './single-process.ts';
import { StatsCounters } from './stats.ts';
import { listenTcp, readWithEvents, type ServeSession } from './tcp-listener.ts';
import { listenUwsWs } from './uws-ws.ts';
import type { WorkloadHandler } from './workload-handler.ts';

/** What a loop server is made of. */
export interface LoopServerParts {
  /** Reported in /stats. */
  architecture: string;
  options: ServerOptions;
  /** Computes replies; closed after the drain. */
  handler: WorkloadHandler;
  /** Threads of the process that serve (the loop plus helper threads such as a worker pool). */
  threads?: number;
  /** How a TCP session reads its socket; event-loop style ('data' callbacks) by default. */
  serveTcp?: ServeSession;
}

/** Listens on options.host:port over options.transport and serves with the given handler. */
export async function startLoopServer(parts: LoopServerParts): Promise<RunningServer> {
  const { options, handler } = parts;
  const counters = new StatsCounters();
  const stopWatching = watchEventLoopDelay(counters);
  const listener =
    options.transport === 'ws'
      ? await listenUwsWs(options.host, options.port, {
          counters,
          gate: new ConnectionGate(processBudget()),
          handle: handler.handle,
          asyncHandler: handler.async,
          echo: options.workload === 'echo',
          maxFrame: options.maxFrame,
          hardBytes: options.backpressureHardBytes,
        })
      : await listenTcp({
          host: options.host,
          port: options.port,
          maxConnections: processBudget(),
          serve: parts.serveTcp ?? readWithEvents,
          context: {
            counters,
            handle: handler.handle,
            asyncHandler: handler.async,
            maxFrame: options.maxFrame,
            softBytes: options.backpressureSoftBytes,
            hardBytes: options.backpressureHardBytes,
          },
        });
  return singleProcessServer({
    architecture: parts.architecture,
    port: listener.port,
    threads: parts.threads ?? 1,
    collect: () => [counters.snapshot()],
    drain: (deadlineMs) => listener.close(deadlineMs),
    handler,
    dispose: stopWatching,
  });
}

/** The same server reporting another architecture name in /stats (a package that reuses another's start). */
export function reportingAs(server: RunningServer, architecture: string): RunningServer {
  return { ...server, stats: async () => ({ ...(await server.stats()), architecture }) };
}
