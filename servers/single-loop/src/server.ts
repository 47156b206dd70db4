// Single loop: one uWebSockets.js event loop serves every connection (the epoll server of the
// Go original). Per-socket state is what uWS keeps natively; this file adds none.
import pkg from '../package.json' with { type: 'json' };
import {
  ConnectionGate,
  createWorkloadHandler,
  listenUwsWs,
  processBudget,
  singleProcessServer,
  specFromPackage,
  StatsCounters,
  watchEventLoopDelay,
  type RunningServer,
  type ServerOptions,
} from '@c1m/server-contract';

export const spec = specFromPackage(pkg, false);

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const counters = new StatsCounters();
  const stopWatching = watchEventLoopDelay(counters);
  const handler = await createWorkloadHandler(options);
  const loop = await listenUwsWs(options.host, options.port, {
    counters,
    gate: new ConnectionGate(processBudget()),
    handle: handler.handle,
    asyncHandler: handler.async,
    echo: options.workload === 'echo',
    maxFrame: options.maxFrame,
    hardBytes: options.backpressureHardBytes,
  });
  return singleProcessServer({
    architecture: spec.name,
    port: loop.port,
    threads: 1,
    collect: () => [counters.snapshot()],
    drain: (deadlineMs) => loop.close(deadlineMs),
    handler,
    dispose: stopWatching,
  });
}
