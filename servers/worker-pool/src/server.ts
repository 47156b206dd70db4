// Worker pool (the reactor): one uWebSockets.js loop does all socket I/O and hands every frame to
// a pool of worker_threads (@c1m/server-runtime's offload pool), writing each result back in
// request order. The loop never computes a reply itself, so a slow workload cannot stall reading and writing.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { bundledEntryUrl, createOffloadHandler, startLoopServer } from '@c1m/server-runtime';

export const spec = specFromPackage(pkg, true);

/** Starts the server (no side effects on import): the I/O loop plus `options.workers` threads. */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const handler = await createOffloadHandler(options, bundledEntryUrl(import.meta.url, 'pool-worker'));
  return startLoopServer({
    architecture: spec.name,
    options,
    handler,
    threads: 1 + options.workers,
    architectureStats: () => handler.poolStats(),
  });
}
