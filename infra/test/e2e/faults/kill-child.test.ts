// A prefork child SIGKILLed while the load generator holds connections through it: the primary
// replaces the child (counted in /stats), the driver reports exactly the connections that child
// held as lost, and every other connection answers every later ping. Both counts are checked
// against the server's own: connections it still holds after the kill.
import { afterEach, describe, expect, it } from 'vitest';
import { sampleProcessTree } from '@c1m/results';
import { spawnServer, type ServerProcess } from '@c1m/server-contract/conformance';
import { ensureBuilt, runDriver } from '../../../../clients/driver/test/run-driver.ts';
import { lostConnections, recordFigures, serverDir, until } from './fault-tools.ts';

const CHILDREN = 2;
const CONNECTIONS = 40;
const ROUNDS = 5;

for (const transport of ['ws', 'tcp'] as const) {
  describe(`prefork over ${transport} with a child killed under load`, () => {
    const servers: ServerProcess[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
    });

    it('reports the connections the child held as lost and the others unaffected', async () => {
      ensureBuilt();
      const s = await spawnServer({
        packageDir: serverDir('prefork'),
        args: ['--transport', transport, '--workers', String(CHILDREN)],
      });
      servers.push(s);
      const target = transport === 'ws' ? `ws://127.0.0.1:${s.ready.port}/` : `tcp://127.0.0.1:${s.ready.port}`;
      // One ping per connection per second for five rounds; the kill lands after the first.
      const run = runDriver(
        [
          'hold',
          '--target',
          target,
          '--connections',
          String(CONNECTIONS),
          '--ping-interval',
          '1s',
          '--duration',
          `${ROUNDS}s`,
          '--connect-rate',
          '0',
        ],
        40_000,
      );
      await until('the first round is answered', async () => (await s.stats()).framesOut >= CONNECTIONS);
      const children = sampleProcessTree(s.ready.pid).pids.filter((pid) => pid !== s.ready.pid);
      expect(children).toHaveLength(CHILDREN);
      process.kill(children[0]!, 'SIGKILL');
      await until('the child is replaced', async () => {
        const st = await s.stats();
        return st.architectureStats?.childRestarts === 1 && st.processes === CHILDREN + 1;
      });
      const survivors = (await s.stats()).connections.current;
      const { code, result, stderr } = await run;
      const r = result!;
      expect(r, stderr).toBeDefined();

      const lost = lostConnections(r.errorsByCause);
      // The kernel spreads connections over both children, so the victim held some, not all.
      expect(lost).toBeGreaterThan(0);
      expect(survivors).toBeGreaterThan(0);
      expect(lost + survivors).toBe(CONNECTIONS);
      expect(code).toBe(1);
      expect(r.failures.join('\n')).toMatch(/connections lost during the run/);
      expect(r.messages.mismatches).toBe(0);
      const rounds = r.hold!.rounds;
      expect(rounds).toHaveLength(ROUNDS);
      // Before the kill every connection answered; in the last round every survivor did, and only they.
      expect(rounds[0]).toMatchObject({ answered: CONNECTIONS, missed: 0 });
      expect(rounds[ROUNDS - 1]).toMatchObject({ answered: survivors, missed: lost });
      recordFigures({
        case: `kill-child (${transport})`,
        subject: 'prefork',
        outcome: 'child replaced; its connections reported lost by the driver, the others answered every later round',
        figures: {
          connections: CONNECTIONS,
          connectionsLost: lost,
          connectionsSurviving: survivors,
          lastRoundAnswered: rounds[ROUNDS - 1]!.answered,
          childRestarts: 1,
        },
      });
    });
  });
}
