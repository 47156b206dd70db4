// cpu replies in both styles over both transports and at several --cpu-rounds: pipelined bodies of
// many sizes are answered correctly and in order; a body shorter than the header closes only its
// connection (C1M_BODY_TOO_SHORT); offloaded, a flood past --queue-limit is shed (C1M_OVERLOADED).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isCorrectReply, makeBody } from '@c1m/protocol';
import { spawnServer, TestClient, type ServerProcess } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

for (const style of ['loop', 'offload'] as const) {
  for (const transport of ['tcp', 'ws'] as const) {
    describe(`cpu-bound --style ${style} over ${transport}`, () => {
      const servers: ServerProcess[] = [];
      const clients: TestClient[] = [];
      const start = async (args: string[]) => {
        const s = await spawnServer({
          packageDir,
          args: ['--style', style, '--transport', transport, '--workers', '2', ...args],
        });
        servers.push(s);
        return s;
      };
      const open = async (s: ServerProcess) => {
        const c = await TestClient.open(transport, s.ready.port);
        clients.push(c);
        return c;
      };
      afterEach(async () => {
        for (const c of clients.splice(0)) c.destroy();
        await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
      });

      for (const cpuRounds of [1, 1000]) {
        it(
          `answers pipelined bodies at --cpu-rounds ` + `${cpuRounds}; a short body closes only its connection`,
          async () => {
            const s = await start(['--cpu-rounds', String(cpuRounds)]);
            expect(s.ready).toMatchObject({
              architecture: 'cpu-bound',
              workload: 'cpu',
              style,
              threads: style === 'offload' ? 3 : 1,
            });
            const [good, short] = [await open(s), await open(s)];
            const count = cpuRounds === 1 ? 300 : 40;
            const requests = Array.from({ length: count }, (_, i) => makeBody(i, BigInt(i), (i * 37) % 2000));
            good.writeRaw(Buffer.concat(requests.map((r) => good.frame(r))));
            short.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));

            const replies = await good.waitForReplies(count);
            const wrong = replies
              .map((r, i) => (isCorrectReply('cpu', requests[i]!, r.body, { cpuRounds }) ? -1 : i))
              .filter((i) => i >= 0);
            expect(wrong).toEqual([]);
            expect(await short.closedWithin(10_000)).toBe(true);
            const stats = await s.stats();
            expect(stats.architecture).toBe('cpu-bound');
            expect(stats.protocolErrors).toEqual({ C1M_BODY_TOO_SHORT: 1 });
            expect(stats.framesOut).toBe(count);
          },
        );
      }

      if (style === 'offload') {
        it('sheds a flood past --queue-limit (C1M_OVERLOADED) and closes that connection', async () => {
          const s = await start(['--cpu-rounds', '5000', '--queue-limit', '2']);
          const flood = await open(s);
          flood.writeRaw(Buffer.concat(Array.from({ length: 200 }, (_, i) => flood.frame(makeBody(i, 0n, 64)))));
          expect(await flood.closedWithin(10_000)).toBe(true);
          const stats = await s.stats();
          expect(stats.protocolErrors.C1M_OVERLOADED).toBeGreaterThanOrEqual(1);
          expect(stats.framesOut).toBeLessThan(200);
        });
      }
    });
  }
}
