// Connection-per-socket: every connection gets its own coroutine (an async function looping
// `for await` over its socket), the Node analogue of a goroutine per connection. TCP on node:net;
// WebSocket through the `ws` library, one coroutine per WebSocket; HTTP on node:http (which owns
// each socket and calls a handler per request). The design lives in
// @c1m/server-runtime (per-connection/), since io-bound runs it too as its `--style per-connection`.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { startPerConnectionServer } from '@c1m/server-runtime';

export const spec = specFromPackage(pkg, false);

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  return startPerConnectionServer({ architecture: spec.name, options });
}
