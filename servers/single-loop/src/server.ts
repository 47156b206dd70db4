// Single loop: one uWebSockets.js event loop serves every connection (the epoll server of the
// Go original). Per-socket state is what uWS keeps natively; the runtime's loop server adds
// none, so this architecture is the runtime's one-loop server with the workload's handler.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { createWorkloadHandler, startLoopServer } from '@c1m/server-runtime';

export const spec = specFromPackage(pkg, false);

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  return startLoopServer({ architecture: spec.name, options, handler: await createWorkloadHandler(options) });
}
