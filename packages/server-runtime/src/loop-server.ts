// A one-process server on one event loop, given the handler that computes replies: uWS for ws,
// node:net read with 'data' events for tcp. Servers that differ only in how replies are computed
// (io-bound, cpu-bound, worker-pool's reactor) start here instead of re-wiring counters,
// listener, drain and stats; servers with several loops (multi-loop, prefork) start each with listenLoop.
import { ConnectionGate } from './connection-gate.ts';
import { watchEventLoopDelay } from './event-loop-delay.ts';
import type { RunningServer, ServerOptions } from '@c1m/server-contract';
import type { ArchitectureStats } from '@c1m/schema';
import { processBudget, singleProcessServer } from './single-process.ts';
import { StatsCounters } from './stats-counters.ts';
import { listenTcp, SHARED_READ_BUFFER, type ServeSession, type TcpListener } from './tcp-listener.ts';
import { listenUwsHttp, type UwsHttpServer } from './uws-http.ts';
import { listenUwsWs, type UwsWsServer } from './uws-ws.ts';
import { createWorkloadHandler, type WorkloadHandler } from './workload-handler.ts';

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
  /** Counters only this architecture reports in /stats (a worker pool's size). */
  architectureStats?: () => ArchitectureStats;
}

/** Listens on options.host:port over options.transport and serves with the given handler. */
export async function startLoopServer(parts: LoopServerParts): Promise<RunningServer> {
  const { options, handler } = parts;
  const counters = new StatsCounters();
  const stopWatching = watchEventLoopDelay(counters);
  const listener = await listenLoop(options, handler, { counters, serveTcp: parts.serveTcp });
  return singleProcessServer({
    architecture: parts.architecture,
    port: listener.port,
    threads: parts.threads ?? 1,
    collect: () => [counters.snapshot()],
    drain: (deadlineMs) => listener.close(deadlineMs),
    handler,
    dispose: stopWatching,
    architectureStats: parts.architectureStats,
  });
}

/** How one loop listens, beyond the options and the handler. */
export interface LoopListenParts {
  counters: StatsCounters;
  /** Port to bind instead of options.port (a sibling joining the port the first loop picked). */
  port?: number;
  /**
   * Sibling threads or processes serve the same port: uWS binds with SO_REUSEPORT (see
   * UwsWsContext.sharedPort); tcp listens non-exclusively (node:cluster shares one listening socket).
   */
  shared?: boolean;
  /** The connection budget, when several loops of one process share it; this process's own otherwise. */
  gate?: ConnectionGate;
  /** How a TCP session reads its socket; event-loop style ('data' callbacks) by default. */
  serveTcp?: ServeSession;
  /** tcp: called with the connection count after each admission and close (see TcpListenOptions.onCount). */
  onTcpCount?: (current: number) => void;
}

/** Starts one loop's listener over options.transport: uWS for ws and http, node:net for tcp. */
export function listenLoop(
  options: ServerOptions,
  handler: WorkloadHandler,
  parts: LoopListenParts,
): Promise<UwsWsServer | UwsHttpServer | TcpListener> {
  const { counters } = parts;
  const port = parts.port ?? options.port;
  if (options.transport === 'http') {
    return listenUwsHttp(options.host, port, {
      counters,
      handle: handler.handle,
      asyncHandler: handler.async,
      sharedPort: parts.shared,
      tls: options.tlsMaterial,
    });
  }
  const gate = parts.gate ?? new ConnectionGate(processBudget());
  if (options.transport === 'ws') {
    return listenUwsWs(options.host, port, {
      counters,
      gate,
      handle: handler.handle,
      asyncHandler: handler.async,
      echo: options.workload === 'echo',
      maxFrameBytes: options.maxFrameBytes,
      softBytes: options.backpressureSoftBytes,
      hardBytes: options.backpressureHardBytes,
      sharedPort: parts.shared,
      tls: options.tlsMaterial,
    });
  }
  return listenTcp({
    host: options.host,
    port,
    gate,
    exclusive: !parts.shared,
    serve: parts.serveTcp ?? SHARED_READ_BUFFER,
    onCount: parts.onTcpCount,
    tls: options.tlsMaterial,
    context: {
      counters,
      handle: handler.handle,
      asyncHandler: handler.async,
      echo: options.workload === 'echo',
      maxFrameBytes: options.maxFrameBytes,
      softBytes: options.backpressureSoftBytes,
      hardBytes: options.backpressureHardBytes,
    },
  });
}

/** One loop of a server with several (a thread or a child process): its port and its drain. */
export interface OwnLoop {
  port: number;
  /** The listener, for a parent that steers accepting (prefork's tcp children pause theirs). */
  listener: UwsWsServer | UwsHttpServer | TcpListener;
  /** Drains the listener, then releases the workload handler and the event-loop watch. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

/**
 * Starts one loop with its own workload handler and event-loop delay watch, counting into
 * parts.counters (which its parent reads: shared memory or IPC). For multi-loop threads and prefork children.
 */
export async function startOwnLoop(options: ServerOptions, parts: LoopListenParts): Promise<OwnLoop> {
  const stopWatching = watchEventLoopDelay(parts.counters);
  const handler = await createWorkloadHandler(options);
  const listener = await listenLoop(options, handler, parts);
  return {
    port: listener.port,
    listener,
    close: async (deadlineMs) => {
      const result = await listener.close(deadlineMs);
      await handler.close();
      stopWatching();
      return result;
    },
  };
}
