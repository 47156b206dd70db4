// acceptIntoBuffer over real loopback sockets: a server's accepted sockets read into one shared
// buffer, see the peer's FIN, pause and resume, and the server still counts them for close().
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptIntoBuffer, writeCopied } from '../src/index.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** An echo server whose sockets read into `shared`; it records which buffer each read landed in. */
async function echoServer(shared: Buffer, opts: { pauseAfterBytes?: number } = {}) {
  const seen = { reads: 0, otherBuffer: 0, bytes: 0, ends: 0 };
  const server = createServer({ allowHalfOpen: true });
  acceptIntoBuffer(
    server,
    shared,
    function (length, bytes) {
      seen.reads++;
      if (bytes !== shared) seen.otherBuffer++;
      seen.bytes += length;
      writeCopied(this, bytes, 0, length);
      if (opts.pauseAfterBytes !== undefined && seen.bytes >= opts.pauseAfterBytes) return false;
      return undefined;
    },
    true,
  );
  server.on('connection', (socket: Socket) => {
    socket.on('end', () => {
      seen.ends++;
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  cleanup.push(() => server.close());
  return { server, port, seen };
}

async function exchange(port: number, payload: Buffer): Promise<Buffer> {
  const client = connect({ port, host: '127.0.0.1' });
  cleanup.push(() => client.destroy());
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  client.end(payload);
  await once(client, 'end');
  return Buffer.concat(chunks);
}

describe('acceptIntoBuffer', () => {
  it('reads every accepted socket into the one buffer, echoes intact, and sees each FIN', async () => {
    const shared = Buffer.alloc(64 * 1024);
    const { port, seen } = await echoServer(shared);
    const payloads = [0, 1, 2].map((i) => Buffer.alloc(200_000 + i, i + 1));
    const replies = await Promise.all(payloads.map((p) => exchange(port, p)));
    for (let i = 0; i < payloads.length; i++) expect(replies[i]!.equals(payloads[i]!)).toBe(true);
    expect(seen.reads).toBeGreaterThan(3);
    expect(seen.otherBuffer).toBe(0);
    expect(seen.ends).toBe(3);
  });

  it('stops reading when the callback returns false, until resume()', async () => {
    const shared = Buffer.alloc(1024);
    const { server, port, seen } = await echoServer(shared, { pauseAfterBytes: 1 });
    let serverSide: Socket | undefined;
    server.once('connection', (s: Socket) => {
      serverSide = s;
    });
    const client = connect({ port, host: '127.0.0.1' });
    cleanup.push(() => client.destroy());
    await once(client, 'connect');
    client.write('a');
    await once(client, 'data');
    const readsWhenPaused = seen.reads;
    client.write('b');
    await new Promise((r) => setTimeout(r, 100)); // long enough for a read that should not happen
    expect(seen.reads).toBe(readsWhenPaused);
    serverSide!.resume();
    const [echoed] = (await once(client, 'data')) as [Buffer];
    expect(echoed.toString()).toBe('b');
  });

  it('keeps the server counting its connections: close() completes once they are gone', async () => {
    const shared = Buffer.alloc(1024);
    const { server, port } = await echoServer(shared);
    const client = connect({ port, host: '127.0.0.1' });
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    let closed = false;
    server.close(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    client.destroy();
    await new Promise<void>((resolve) => {
      const poll = () => (closed ? resolve() : setTimeout(poll, 10));
      poll();
    });
  });
});
