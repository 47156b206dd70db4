// io-bound: every reply waits on real asynchronous file I/O (the io workload), served by the
// designs the repository already has rather than new code: `--style loop` is the runtime's
// one-loop server that single-loop is made of (uWS for ws, node:net 'data' callbacks for tcp),
// `--style per-connection` is conn-per-socket's one coroutine per connection. The comparison is the point of the
// package.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { createWorkloadHandler, startLoopServer, startPerConnectionServer } from '@c1m/server-runtime';

export const spec = specFromPackage(pkg, false);

/** Starts the server (no side effects on import); the workload is always io (see package.json). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const io = { ...options, workload: 'io' as const };
  if (io.style === 'per-connection') return startPerConnectionServer({ architecture: spec.name, options: io });
  return startLoopServer({ architecture: spec.name, options: io, handler: await createWorkloadHandler(io) });
}
