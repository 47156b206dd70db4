// io replies in both styles over both transports: reads at any offset (wrapping past the end of the
// data file, and past 2^32 - 1), lengths up to --io-max-read, all pipelined on one connection; a
// length above the limit closes only that connection and is counted.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isCorrectReply, makeIoRequest } from '@c1m/protocol';
import { spawnServer, TestClient, type ServerProcess } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const FILE_BYTES = 251 * 10;
const MAX_READ = 3 * FILE_BYTES;

/** [offset, length]: edges of the file, reads longer than the file, offsets far past it. */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 0],
  [0, 1],
  [250, 2],
  [FILE_BYTES - 1, 1],
  [FILE_BYTES - 10, 20],
  [FILE_BYTES, 100],
  [FILE_BYTES * 7 + 3, MAX_READ],
  [123_456_789, 4000],
  [0xffffffff, MAX_READ],
  ...Array.from({ length: 40 }, (_, i) => [(i * 7919) >>> 0, (i * 211) % (MAX_READ + 1)] as const),
];

for (const style of ['loop', 'per-connection'] as const) {
  for (const transport of ['tcp', 'ws'] as const) {
    describe(`io-bound --style ${style} over ${transport}`, () => {
      const servers: ServerProcess[] = [];
      const clients: TestClient[] = [];
      afterEach(async () => {
        for (const c of clients.splice(0)) c.destroy();
        await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
      });

      it(
        'answers pipelined reads correctly, and closes a ' + 'connection asking past --io-max-read (C1M_IO_RANGE)',
        async () => {
          const s = await spawnServer({
            packageDir,
            args: [
              '--style',
              style,
              '--transport',
              transport,
              '--io-file-size',
              String(FILE_BYTES),
              '--io-max-read',
              String(MAX_READ),
            ],
          });
          servers.push(s);
          expect(s.ready).toMatchObject({ architecture: 'io-bound', workload: 'io', style });
          const [good, bad] = await Promise.all([
            TestClient.open(transport, s.ready.port),
            TestClient.open(transport, s.ready.port),
          ]);
          clients.push(good!, bad!);

          const requests = RANGES.map(([offset, length], i) => makeIoRequest(i, BigInt(i), offset, length));
          good!.writeRaw(Buffer.concat(requests.map((r) => good!.frame(r))));
          // A valid read pipelined ahead of the bad one is still answered, in order, before the close.
          const valid = makeIoRequest(0, 0n, 5, 10);
          bad!.writeRaw(Buffer.concat([bad!.frame(valid), bad!.frame(makeIoRequest(1, 0n, 0, MAX_READ + 1))]));

          const replies = await good!.waitForReplies(requests.length);
          const wrong = replies
            .map((r, i) => (isCorrectReply('io', requests[i]!, r.body, { cpuRounds: 1 }) ? -1 : i))
            .filter((i) => i >= 0);
          expect(wrong).toEqual([]);
          expect(await bad!.closedWithin(10_000)).toBe(true);
          expect(bad!.replies).toHaveLength(1);
          expect(isCorrectReply('io', valid, bad!.replies[0]!.body, { cpuRounds: 1 })).toBe(true);

          const stats = await s.stats();
          expect(stats.architecture).toBe('io-bound');
          expect(stats.protocolErrors).toEqual({ C1M_IO_RANGE: 1 });
          expect(stats.connections.current).toBe(1);
          const again = makeIoRequest(999, 0n, 42, 42);
          good!.send(again);
          const [last] = (await good!.waitForReplies(requests.length + 1)).slice(-1);
          expect(isCorrectReply('io', again, last!.body, { cpuRounds: 1 })).toBe(true);
        },
      );
    });
  }
}
