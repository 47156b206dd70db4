// GET /stats: the server's aggregated stats as JSON on their own port.
import { createServer, type Server } from 'node:http';
import type { ServerStats } from '@c1m/schema';

/** Serves stats on host:port (0 = any free port); resolves with the bound port. */
export function serveStats(
  host: string,
  port: number,
  stats: () => Promise<ServerStats>,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/stats') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /stats\n');
      return;
    }
    stats().then(
      (s) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(s)),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
