// The conformance suite of --tls (protocol README 1.4), for each transport a server serves:
// the handshake with the certificate generated at start and a correct reply through it, a client
// that verifies certificates refusing it, and SIGTERM answering what was sent before closing.
import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, HttpResponseParser, isCorrectHttpBody } from '@c1m/protocol';
import { spawnServer, type ServerProcess } from './server-process.ts';

/** The server under test. */
export interface TlsConformanceTarget {
  name: string;
  packageDir: string;
  /** Transports to check inside TLS (ws is checked up to its upgrade over TLS). */
  transports: ReadonlyArray<'tcp' | 'ws' | 'http'>;
  args?: readonly string[];
}

/** Opens a TLS connection; `verify` makes the client check the certificate as TLS clients do by default. */
function open(port: number, verify: boolean): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: verify });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends one request over `socket` for `transport` and resolves with true when the reply is correct. */
function exchange(socket: TLSSocket, transport: 'tcp' | 'ws' | 'http', body: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve(false));
    if (transport === 'tcp') {
      const decoder = new FrameDecoder(1 << 20, (reply) => resolve(reply.equals(body)));
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
      socket.write(encodeFrame(body));
    } else if (transport === 'http') {
      const parser = new HttpResponseParser(1 << 20, (status, reply) =>
        resolve(status === 200 && isCorrectHttpBody('static', 1024, reply)),
      );
      socket.on('data', (chunk: Buffer) => parser.push(chunk));
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    } else {
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        // After the upgrade the next bytes are the server's close frame at drain: end our side.
        if (head.includes('\r\n\r\n')) return void socket.end();
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) resolve(head.startsWith('HTTP/1.1 101'));
      });
      socket.write(
        'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ' +
          'dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    }
  });
}

/** Declares the TLS suite for one server; call it at the top level of a test file. */
export function describeTlsConformance(target: TlsConformanceTarget): void {
  for (const transport of target.transports) {
    describe(`${target.name} over ${transport} with --tls conforms to the server contract`, () => {
      const servers: ServerProcess[] = [];
      const sockets: TLSSocket[] = [];
      const start = async () => {
        const s = await spawnServer({
          packageDir: target.packageDir,
          args: ['--transport', transport, '--tls', ...(target.args ?? [])],
          readyTimeoutMs: 30_000,
        });
        servers.push(s);
        return s;
      };
      afterEach(async () => {
        for (const s of sockets.splice(0)) s.destroy();
        await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
      });
      const body = Buffer.from('c1m over tls: twelve+ bytes');

      it(
        'says tls in its ready line, completes the handshake with its generated certificate and answers ' +
          'through it',
        async () => {
          const s = await start();
          expect(s.ready).toMatchObject({ transport, tls: true, tlsCertificate: 'generated self-signed' });
          const socket = await open(s.ready.port, false);
          sockets.push(socket);
          expect(socket.getPeerCertificate().subject?.CN).toBe('localhost');
          expect(await exchange(socket, transport, body)).toBe(true);
        },
      );

      it('is refused by a client that verifies certificates (self-signed), and keeps serving others', async () => {
        const s = await start();
        const refused = await open(s.ready.port, true).then(
          (socket) => {
            sockets.push(socket);
            return 'accepted';
          },
          (err: NodeJS.ErrnoException) => err.code,
        );
        expect(refused).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
        const socket = await open(s.ready.port, false);
        sockets.push(socket);
        expect(await exchange(socket, transport, body)).toBe(true);
      });

      it('on SIGTERM answers a request sent before it over TLS, closes and exits 0', async () => {
        const s = await start();
        const socket = await open(s.ready.port, false);
        sockets.push(socket);
        const answered = exchange(socket, transport, body);
        // Let the request reach the server first (100 ms: a loaded 2-core machine delays loops).
        await new Promise((r) => setTimeout(r, 100));
        const stopped = s.stop('SIGTERM');
        expect(await answered).toBe(true);
        const { code, closed } = await stopped;
        expect(closed).toMatchObject({ event: 'closed', forced: false });
        expect(code).toBe(0);
      });
    });
  }
}
