// writeCopied over real loopback sockets: bytes arrive in order and intact although the caller
// rewrites its buffer after every call, also when the kernel cannot take them at once (a peer that
// does not read), and the socket reports the queue and its draining as node's own writes do.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HELD, SENT, queuedBytes, streamBinding, writeCopied, writeLent, writesDirectly } from '../src/index.ts';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A connected pair: `client` is ours, `peer` the server's side of the same connection. */
async function pair(): Promise<{ client: Socket; peer: Socket; server: Server }> {
  const server = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection');
  const client = connect({ port, host: '127.0.0.1' });
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  cleanup.push(() => {
    client.destroy();
    peer.destroy();
    server.close();
  });
  return { client, peer, server };
}

/** Block i of a stream: 1 KiB of bytes that depend on i, so a reordered or overwritten block shows. */
function fillBlock(target: Buffer, i: number): void {
  for (let j = 0; j < target.length; j++) target[j] = (i * 31 + j * 7) & 0xff;
}

async function readAll(socket: Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  socket.resume();
  for await (const chunk of socket) {
    chunks.push(chunk as Buffer);
    have += (chunk as Buffer).length;
    if (have >= bytes) break;
  }
  return Buffer.concat(chunks);
}

describe('writeCopied', () => {
  it('goes straight to the handle on this node (the binding loads)', async () => {
    expect(streamBinding).toBeDefined();
    const { client } = await pair();
    expect(writesDirectly(client)).toBe(true);
  });

  it('leaves a Unix-socket stream to its Writable, also once a TCP handle has been recognized', async () => {
    const { client } = await pair();
    expect(writesDirectly(client)).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), 'c1m-pipe-')), 's');
    const server = createServer((c) => c.pipe(c));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const unix = connect(path);
    cleanup.push(() => {
      unix.destroy();
      server.close();
    });
    await once(unix, 'connect');
    expect(writesDirectly(unix)).toBe(false);
    expect(writeCopied(unix, Buffer.from('over a pipe'))).toBe(true);
    expect((await readAll(unix, 11)).toString()).toBe('over a pipe');
  });

  it('delivers every block intact while the caller rewrites its one buffer, through a full socket buffer', async () => {
    const { client, peer } = await pair();
    peer.pause();
    const blocks = 8192; // 8 MiB: far beyond what loopback's socket buffers hold without a reader
    const buffer = Buffer.alloc(1024);
    let queuedSeen = 0;
    for (let i = 0; i < blocks; i++) {
      fillBlock(buffer, i);
      expect(writeCopied(client, buffer)).toBe(true);
      queuedSeen = Math.max(queuedSeen, queuedBytes(client));
    }
    // The kernel took only part at once: the rest waited in the handle's queue, copied.
    expect(queuedSeen).toBeGreaterThan(1024 * 1024);
    const drained = once(client, 'drain');
    const received = await readAll(peer, blocks * 1024);
    await drained;
    expect(queuedBytes(client)).toBe(0);
    expect(received.length).toBe(blocks * 1024);
    const expected = Buffer.alloc(1024);
    for (let i = 0; i < blocks; i++) {
      fillBlock(expected, i);
      if (!received.subarray(i * 1024, (i + 1) * 1024).equals(expected)) throw new Error(`block ${i} differs`);
    }
  });

  it('keeps order behind bytes waiting in the Writable (it then writes through socket.write)', async () => {
    const { client, peer } = await pair();
    peer.pause();
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    client.write(big);
    expect(client.writableLength).toBeGreaterThan(0);
    expect(writesDirectly(client)).toBe(false);
    const tail = Buffer.from('the tail');
    writeCopied(client, tail);
    tail.fill(0);
    const received = await readAll(peer, big.length + 8);
    expect(received.length).toBe(big.length + 8);
    expect(received.subarray(big.length).toString()).toBe('the tail');
  });

  it('writes a range of the buffer, and returns false once the socket is destroyed', async () => {
    const { client, peer } = await pair();
    writeCopied(client, Buffer.from('xxhelloxx'), 2, 7);
    client.end();
    const received = await readAll(peer, 5);
    expect(received.toString()).toBe('hello');
    client.destroy();
    expect(writeCopied(client, Buffer.from('late'))).toBe(false);
  });

  it('destroys the socket with the errno when the peer has reset the connection', async () => {
    const { client, peer } = await pair();
    const failed = once(client, 'error');
    peer.resetAndDestroy();
    await once(peer, 'close');
    const block = Buffer.alloc(1024);
    // The reset arrives asynchronously: write until the socket gives up (bounded).
    for (let i = 0; i < 1000 && writeCopied(client, block); i++) await new Promise((r) => setImmediate(r));
    const [err] = (await failed) as [NodeJS.ErrnoException];
    expect(['EPIPE', 'ECONNRESET']).toContain(err.code);
    expect(client.destroyed).toBe(true);
  });
});

describe('writeLent', () => {
  it('says SENT while the kernel takes every byte, and HELD once a queue keeps the buffer itself', async () => {
    const { client, peer } = await pair();
    peer.pause();
    // One buffer, refilled after every SENT; a new one after HELD, as the driver's frames do. Had
    // writeLent said SENT for a write it queued, a refill would change bytes still waiting.
    let buffer = Buffer.alloc(1024);
    const outcomes = { sent: 0, held: 0 };
    const blocks = 8192;
    for (let i = 0; i < blocks; i++) {
      fillBlock(buffer, i);
      const outcome = writeLent(client, buffer);
      if (outcome === SENT) outcomes.sent++;
      else {
        expect(outcome).toBe(HELD);
        outcomes.held++;
        buffer = Buffer.alloc(1024);
      }
    }
    expect(outcomes.sent).toBeGreaterThan(0);
    expect(outcomes.held).toBeGreaterThan(0);
    const received = await readAll(peer, blocks * 1024);
    const expected = Buffer.alloc(1024);
    for (let i = 0; i < blocks; i++) {
      fillBlock(expected, i);
      expect(received.subarray(i * 1024, (i + 1) * 1024).equals(expected), `block ${i}`).toBe(true);
    }
    expect(queuedBytes(client)).toBe(0);
  });
});
