// Replies written per chunk (ReplyBatch, TcpSession): over real loopback sockets, every frame is
// answered byte for byte and in order however the client's bytes are split, the echoes of the
// frames of one chunk leave in one write (counted at the socket's handle), and computed replies
// (cpu) are framed correctly.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuReply, encodeFrame, FrameDecoder, makeBody } from '@c1m/protocol';
import { ConnectionGate } from '../src/connection-gate.ts';
import { ReplyBatch } from '../src/reply-batch.ts';
import { StatsCounters } from '../src/stats-counters.ts';
import { listenTcp, readWithEvents, SHARED_READ_BUFFER, type TcpListener } from '../src/tcp-listener.ts';
import { snapshotOf } from './snapshot-of.ts';

/** Seeded from C1M_TEST_SEED when set, so a failure can be replayed. */
const SEED = Number(process.env.C1M_TEST_SEED ?? Date.now() % 1_000_000);

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A connected client/server socket pair on loopback; the server side's write calls are counted. */
async function socketPair(): Promise<{ client: Socket; server: Socket; writes: () => number }> {
  const accepted = new Promise<Socket>((resolve) => {
    const srv: Server = createServer((s) => resolve(s));
    cleanups.push(() => new Promise<void>((done) => srv.close(() => done())));
    srv.listen(0, '127.0.0.1', () => {
      const client = connect((srv.address() as { port: number }).port, '127.0.0.1');
      cleanups.push(() => void client.destroy());
      clientReady(client);
    });
  });
  let clientReady!: (c: Socket) => void;
  const client = await new Promise<Socket>((resolve) => (clientReady = (c) => c.once('connect', () => resolve(c))));
  const server = await accepted;
  cleanups.push(() => void server.destroy());
  // Count writes where every path ends: the libuv handle (direct writes, and socket.write's own).
  let count = 0;
  const handle = (server as unknown as { _handle: Record<string, (...args: unknown[]) => number> })._handle;
  for (const method of ['writeLatin1String', 'writeBuffer', 'writev', 'writeUtf8String']) {
    const original = handle[method]!.bind(handle);
    handle[method] = (...args: unknown[]) => {
      count++;
      return original(...args);
    };
  }
  return { client, server, writes: () => count };
}

/** Resolves with the first `bytes` bytes the socket receives. */
function receive(socket: Socket, bytes: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let have = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      have += d.length;
      if (have >= bytes) {
        socket.off('data', onData);
        resolve(Buffer.concat(parts).subarray(0, bytes));
      }
    };
    socket.on('data', onData);
  });
}

/** Every body in the frames of `chunk` (whole frames only), as the decoder hands them out. */
function bodiesOf(chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  new FrameDecoder(1 << 20, (b) => out.push(b)).push(chunk);
  return out;
}

describe('ReplyBatch', () => {
  it('writes the echoes of the whole frames of a chunk from the chunk itself, in one write', async () => {
    const { client, server, writes } = await socketPair();
    const frames = [makeBody(1, 10n, 4), makeBody(2, 20n, 100), makeBody(3, 30n, 0)].map(encodeFrame);
    const chunk = Buffer.concat(frames);
    const batch = new ReplyBatch();
    batch.begin(chunk);
    for (const body of bodiesOf(chunk)) batch.echo(body);
    const got = receive(client, chunk.length);
    batch.flush(server);
    expect((await got).equals(chunk)).toBe(true);
    expect(writes()).toBe(1);
  });

  it('keeps request order when echoes of the chunk and other replies alternate, still one write', async () => {
    const { client, server, writes } = await socketPair();
    const a = makeBody(1, 1n, 8);
    const b = makeBody(2, 2n, 8);
    const chunk = Buffer.concat([encodeFrame(a), encodeFrame(b)]);
    const [va, vb] = bodiesOf(chunk);
    const reassembled = makeBody(0, 0n, 20); // a body completed across chunks: not a view of this one
    const computed = Buffer.from('computed reply');
    const batch = new ReplyBatch();
    batch.begin(chunk);
    batch.echo(reassembled);
    batch.echo(va!);
    batch.reply(computed);
    batch.echo(vb!);
    const expected = Buffer.concat([reassembled, a, computed, b].map(encodeFrame));
    const got = receive(client, expected.length);
    batch.flush(server);
    expect((await got).equals(expected)).toBe(true);
    expect(writes()).toBe(1);
    // An empty batch writes nothing.
    batch.begin(chunk);
    batch.flush(server);
    expect(writes()).toBe(1);
    // Nothing of the mixed batch is left over for the next one: it writes its own echo alone.
    const next = encodeFrame(makeBody(3, 3n, 16));
    batch.begin(next);
    batch.echo(bodiesOf(next)[0]!);
    const gotNext = receive(client, next.length);
    batch.flush(server);
    expect((await gotNext).equals(next)).toBe(true);
    expect(writes()).toBe(2);
  });
});

/** A listener with one TcpSession per connection, echo or cpu, reading with 'data' events or into its shared buffer. */
async function listen(
  workload: 'echo' | 'cpu',
  reads: 'events' | 'shared',
): Promise<TcpListener & { counters: StatsCounters }> {
  const counters = new StatsCounters();
  const listener = await listenTcp({
    host: '127.0.0.1',
    port: 0,
    gate: new ConnectionGate(100),
    serve: reads === 'shared' ? SHARED_READ_BUFFER : readWithEvents,
    context: {
      counters,
      handle: workload === 'echo' ? (body) => body : (body) => cpuReply(body, 2),
      asyncHandler: false,
      echo: workload === 'echo',
      maxFrameBytes: 1 << 20,
      softBytes: 1 << 18,
      hardBytes: 1 << 22,
    },
  });
  cleanups.push(async () => void (await listener.close(1000)));
  return Object.assign(listener, { counters });
}

/** Sends `wire` in pieces cut at random points (one write each, with a turn between) and returns what comes back. */
async function exchange(port: number, wire: Buffer, expectedBytes: number, random: () => number): Promise<Buffer> {
  const client = connect(port, '127.0.0.1');
  cleanups.push(() => void client.destroy());
  await new Promise((resolve) => client.once('connect', resolve));
  client.setNoDelay(true);
  const got = receive(client, expectedBytes);
  for (let at = 0; at < wire.length; ) {
    const next = Math.min(wire.length, at + 1 + Math.floor(random() * 300));
    client.write(wire.subarray(at, next));
    at = next;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return got;
}

describe.each(['events', 'shared'] as const)(
  `TcpSession replies per chunk (reads: %s, seed ${SEED}, replay with C1M_TEST_SEED)`,
  (reads) => {
    it('echoes every frame byte for byte and in order, however the bytes are split', async () => {
      const random = xorshift(SEED);
      const listener = await listen('echo', reads);
      const bodies = Array.from({ length: 300 }, (_, i) => makeBody(i, BigInt(i), Math.floor(random() * 200)));
      const wire = Buffer.concat(bodies.map(encodeFrame));
      const back = await exchange(listener.port, wire, wire.length, random);
      expect(back.equals(wire)).toBe(true);
      // Replies written in batches are counted one by one, with their body bytes.
      const stats = snapshotOf(listener.counters);
      expect([stats.framesOut, stats.bytesOut]).toEqual([300, bodies.reduce((n, b) => n + b.length, 0)]);
    });

    it('echoes reads of whole frames as they came and counts them frame by frame', async () => {
      const random = xorshift(SEED + 2);
      const listener = await listen('echo', reads);
      const bodies = Array.from({ length: 200 }, (_, i) => makeBody(i, BigInt(i), Math.floor(random() * 100)));
      const frames = bodies.map(encodeFrame);
      const wire = Buffer.concat(frames);
      const client = connect(listener.port, '127.0.0.1');
      cleanups.push(() => void client.destroy());
      await new Promise((resolve) => client.once('connect', resolve));
      client.setNoDelay(true);
      const got = receive(client, wire.length);
      // One to three whole frames per write, with a turn between.
      for (let i = 0; i < frames.length; ) {
        const n = 1 + Math.floor(random() * 3);
        client.write(Buffer.concat(frames.slice(i, i + n)));
        i += n;
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await got).equals(wire)).toBe(true);
      const bodyBytes = bodies.reduce((n, b) => n + b.length, 0);
      const stats = snapshotOf(listener.counters);
      expect([stats.framesIn, stats.bytesIn, stats.framesOut, stats.bytesOut]).toEqual([
        200,
        bodyBytes,
        200,
        bodyBytes,
      ]);
    });

    it('frames computed replies (cpu) in order, however the bytes are split', async () => {
      const random = xorshift(SEED + 1);
      const listener = await listen('cpu', reads);
      const bodies = Array.from({ length: 200 }, (_, i) => makeBody(i, BigInt(i), 1 + Math.floor(random() * 100)));
      const wire = Buffer.concat(bodies.map(encodeFrame));
      const expected = Buffer.concat(bodies.map((b) => encodeFrame(cpuReply(b, 2))));
      const back = await exchange(listener.port, wire, expected.length, random);
      expect(back.equals(expected)).toBe(true);
    });
  },
);
