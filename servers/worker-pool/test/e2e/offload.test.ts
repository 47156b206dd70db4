// The reactor's own promises, over real sockets: every workload computed in the workers is correct
// (io reads included), and a full queue sheds work (counted, connection closed) instead of growing,
// while the server keeps answering other clients.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isCorrectHttpBody, isCorrectReply, makeBody, makeIoRequest } from '@c1m/protocol';
import { HttpTestClient, spawnServer, TestClient, type ServerProcess } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

describe('worker-pool offloads to worker threads', () => {
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const start = async (args: string[]) => {
    const s = await spawnServer({ packageDir, args: ['--workers', '2', ...args] });
    servers.push(s);
    return s;
  };
  const open = async (s: ServerProcess) => {
    const c = await TestClient.open('ws', s.ready.port);
    clients.push(c);
    return c;
  };
  const httpClients: HttpTestClient[] = [];
  const openHttp = async (s: ServerProcess) => {
    const c = await HttpTestClient.open(s.ready.port);
    httpClients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of [...clients.splice(0), ...httpClients.splice(0)]) c.destroy();
    await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
  });

  it('reports the pool threads and answers pipelined cpu requests in order, correctly', async () => {
    const s = await start(['--workload', 'cpu', '--cpu-rounds', '17']);
    expect(s.ready.threads).toBe(3);
    const c = await open(s);
    const requests = Array.from({ length: 500 }, (_, i) => makeBody(i, BigInt(i), i % 700));
    c.writeRaw(Buffer.concat(requests.map((r) => c.frame(r))));
    const replies = await c.waitForReplies(requests.length);
    expect(replies.every((r, i) => isCorrectReply('cpu', requests[i]!, r.body, { cpuRounds: 17 }))).toBe(true);
  });

  it('answers io requests read by the workers, wrapping past the end of the data file', async () => {
    const s = await start(['--workload', 'io', '--io-file-size', '2510', '--io-max-read', '8000']);
    const c = await open(s);
    const ranges = [
      [0, 0],
      [0, 1],
      [2500, 20],
      [2509, 8000],
      [7777, 3000],
      [0xffffffff, 8000],
    ] as const;
    const requests = ranges.map(([offset, length], i) => makeIoRequest(i, 0n, offset, length));
    for (const r of requests) c.send(r);
    const replies = await c.waitForReplies(requests.length);
    expect(replies.every((r, i) => isCorrectReply('io', requests[i]!, r.body, { cpuRounds: 1 }))).toBe(true);
  });

  it(
    'sheds a flood past --queue-limit (C1M_OVERLOADED, ' + 'connection closed, memory bounded) and keeps serving',
    async () => {
      const s = await start(['--workload', 'cpu', '--cpu-rounds', '3000', '--queue-limit', '4']);
      const rssBefore = (await s.stats()).rssBytes;
      // Four connections each pipeline 64 heavy requests of 256 KiB: 64 MiB that must not be queued.
      const floodBytes = 4 * 64 * 256 * 1024;
      const flooders = await Promise.all(Array.from({ length: 4 }, () => open(s)));
      for (const [k, f] of flooders.entries()) {
        f.writeRaw(Buffer.concat(Array.from({ length: 64 }, (_, i) => f.frame(makeBody(k * 64 + i, 0n, 256 * 1024)))));
      }
      for (const f of flooders) expect(await f.closedWithin(10_000)).toBe(true);
      const stats = await s.stats();
      expect(stats.protocolErrors.C1M_OVERLOADED).toBeGreaterThanOrEqual(1);
      // Only requests admitted to the queue were computed: the flood was not.
      expect(stats.framesOut).toBeLessThan(4 * 64);
      // Queued without a bound, every body and its copy in a worker batch would stay: about twice
      // the flood (measured: ~120 MiB). Shed, the flood passes through as short-lived garbage.
      expect(stats.rssBytes - rssBefore).toBeLessThan(floodBytes);

      // The jobs admitted before the shed may still occupy the queue for a moment; then a polite
      // client is served as before.
      let served = false;
      for (let attempt = 0; attempt < 20 && !served; attempt++) {
        const c = await open(s);
        const request = makeBody(attempt, 0n, 32);
        c.send(request);
        const reply = await c.waitForReplies(1, 5000).catch(() => []);
        served = reply.length === 1 && isCorrectReply('cpu', request, reply[0]!.body, { cpuRounds: 3000 });
        if (!served) await new Promise((r) => setTimeout(r, 100));
      }
      expect(served).toBe(true);
    },
  );

  it('on SIGTERM answers what was admitted, terminates its workers and exits 0', async () => {
    const s = await start(['--workload', 'cpu', '--cpu-rounds', '200']);
    const conns = await Promise.all(Array.from({ length: 10 }, () => open(s)));
    const sent = conns.map((c, k) => {
      const requests = Array.from({ length: 40 }, (_, i) => makeBody(k * 40 + i, 0n, 100));
      c.writeRaw(Buffer.concat(requests.map((r) => c.frame(r))));
      return requests;
    });
    // Sent before the signal: handed to the kernel, whether or not the server has read them yet.
    await Promise.all(conns.map((c) => c.flushed()));
    const stopped = s.stop('SIGTERM');
    const replies = await Promise.all(conns.map((c) => c.waitForReplies(40, 20_000)));
    replies.forEach((rs, k) =>
      expect(rs.every((r, i) => isCorrectReply('cpu', sent[k]![i]!, r.body, { cpuRounds: 200 }))).toBe(true),
    );
    const { code, closed } = await stopped;
    expect(closed).toMatchObject({ event: 'closed', forced: false, framesIn: 400, framesOut: 400 });
    expect(code).toBe(0);
  });

  it('computes http bodies in the pool: past --queue-limit a request gets 503 (counted)', async () => {
    const s = await start(['--transport', 'http', '--workload', 'sleep', '--sleep', '300ms', '--queue-limit', '1']);
    const first = await openHttp(s);
    first.get();
    // The first request holds the one queue place (a worker sleeps 300 ms on it) once the loop has read it.
    while ((await s.stats()).framesIn < 1) await new Promise((r) => setTimeout(r, 10));
    const second = await openHttp(s);
    second.get();
    expect(await second.closedWithin(5000)).toBe(true);
    expect(second.replies.map((r) => r.status)).toEqual([503]);
    const [ok] = await first.waitForReplies(1);
    expect(ok!.status === 200 && isCorrectHttpBody('sleep', 1024, ok!.body)).toBe(true);
    expect((await s.stats()).protocolErrors).toEqual({ C1M_OVERLOADED: 1 });
    const third = await openHttp(s);
    third.get();
    const [later] = await third.waitForReplies(1);
    expect(later!.status).toBe(200);
  });
});
