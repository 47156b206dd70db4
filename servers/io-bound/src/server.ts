// io-bound: every reply waits on real asynchronous file I/O (the io workload), served by the
// architectures the repository already has rather than new code: `--style loop` is the contract's
// one-loop server that single-loop is made of (uWS for ws, node:net 'data' callbacks for tcp),
// `--style per-connection` is conn-per-socket's one coroutine per connection. The comparison is the point of the package.
import pkg from '../package.json' with { type: 'json' };
import { start as startPerConnection } from '@c1m/conn-per-socket';
import {
  createWorkloadHandler,
  reportingAs,
  specFromPackage,
  startLoopServer,
  type RunningServer,
  type ServerOptions,
} from '@c1m/server-contract';

export const spec = specFromPackage(pkg, false);

/** Starts the server (no side effects on import); the workload is always io (see package.json). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const io = { ...options, workload: 'io' as const };
  if (io.style === 'per-connection') return reportingAs(await startPerConnection(io), spec.name);
  return startLoopServer({ architecture: spec.name, options: io, handler: await createWorkloadHandler(io) });
}
