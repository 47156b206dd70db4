// Worker pool (the reactor): one uWebSockets.js loop does all socket I/O and hands every frame to
// a pool of worker_threads (see offload-pool.ts), writing each result back in request order. The
// loop never computes a reply itself, so a slow workload cannot stall reading and writing.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, startLoopServer, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { createOffloadHandler } from './offload-pool.ts';

export { createOffloadHandler, MAX_QUEUED_BYTES, type OffloadPoolOptions } from './offload-pool.ts';

export const spec = specFromPackage(pkg, true);

/** Starts the server (no side effects on import): the I/O loop plus `options.workers` threads. */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const handler = await createOffloadHandler(options);
  return startLoopServer({
    architecture: spec.name,
    options,
    handler,
    threads: 1 + options.workers,
    extras: () => handler.poolStats(),
  });
}
