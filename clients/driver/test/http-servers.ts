// Small node:http servers for the driver's http tests, in the test process on port 0: they answer
// GET with the protocol's static or aes body (optionally corrupted) and count connections and
// the requests that asked for `Connection: close`.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { aesHttpBody, staticHttpBody, type HttpWorkload } from '@c1m/protocol';
import type { TestServer } from './echo-servers.ts';

export interface HttpTestServerOptions {
  workload?: HttpWorkload;
  bodySize?: number;
  /** Flip a byte of every `corruptEvery`-th body (0 = never). */
  corruptEvery?: number;
}

/** An http test server and what it saw. */
export interface HttpTestServer extends TestServer {
  requests(): number;
  closeRequests(): number;
}

/** Starts a node:http server answering GET / with the workload's body. */
export async function startHttpServer(opts: HttpTestServerOptions = {}): Promise<HttpTestServer> {
  const plain = staticHttpBody(opts.bodySize ?? 1024);
  let accepted = 0;
  let requests = 0;
  let closeRequests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests++;
    if (req.headers.connection === 'close') closeRequests++;
    let body = opts.workload === 'aes' ? aesHttpBody(plain) : plain;
    if (opts.corruptEvery && requests % opts.corruptEvery === 0) {
      body = Buffer.from(body);
      body[body.length - 1] ^= 1;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  server.keepAliveTimeout = 0;
  server.on('connection', (socket: Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    accepted: () => accepted,
    requests: () => requests,
    closeRequests: () => closeRequests,
    close: async () => {
      for (const s of sockets) s.resetAndDestroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
