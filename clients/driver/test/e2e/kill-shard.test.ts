// A load-generator shard killed with SIGKILL mid-run: the coordinator still writes a result, with
// the surviving shard's figures, the dead shard named (index, pid, signal, step) and its
// connections counted as C1M_SHARD_LOST, and exits 1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleProcessTree } from '@c1m/results';
import { serverRegistry, startWsEcho } from '../echo-servers.ts';
import { ensureBuilt, runDriver } from '../run-driver.ts';
// A relative path: the driver does not depend on infra; `pnpm test:faults` collects these figures.
import { recordFigures } from '../../../../packages/server-contract/src/conformance/fault-figures.ts';

const servers = serverRegistry();
beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

/** Polls `probe` every 20 ms until it is true; fails after `timeoutMs`. */
async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('c1m-load with a shard killed', () => {
  it('reports a partial result naming the shard and exits 1', async () => {
    const s = await servers.start(startWsEcho());
    let victim = 0;
    const run = await runDriver(
      [
        'echo',
        '--target',
        s.url,
        '--connections',
        '20',
        '--shards',
        '2',
        '--warmup',
        '0',
        '--duration',
        '3s',
        '--grace',
        '500ms',
      ],
      30_000,
      (coordinator) => {
        void (async () => {
          // Messages arriving means both shards are past their ramp and in the load step.
          await until('the load runs', () => s.frames!().messages > 100);
          const shards = sampleProcessTree(coordinator.pid!).pids.filter((pid) => pid !== coordinator.pid);
          expect(shards).toHaveLength(2);
          victim = shards[0]!;
          process.kill(victim, 'SIGKILL');
        })();
      },
    );
    expect(run.code, run.stderr).toBe(1);
    const r = run.result!;
    expect(victim).toBeGreaterThan(0);
    expect(r.passed).toBe(false);
    expect(r.driver.lostShards).toHaveLength(1);
    const lost = r.driver.lostShards![0]!;
    expect(lost).toMatchObject({ pid: victim, exit: 'SIGKILL', during: 'load', connections: 10 });
    expect(r.failures[0]).toBe(
      `shard ${lost.index} (pid ${victim}) died during load (SIGKILL): its 10 connections and their figures are ` +
        `missing from this result`,
    );
    expect(run.stdout).toContain(`shard ${lost.index} (pid ${victim}) died during load`);
    // The dead shard's connections are counted lost; the survivor's figures are all there.
    expect(r.errorsByCause.C1M_SHARD_LOST).toBe(10);
    expect(r.connections).toMatchObject({ requested: 20, established: 20, failed: 0 });
    expect(r.messages.mismatches).toBe(0);
    expect(r.messages.received).toBeGreaterThan(100);
    expect(r.latencyUs.count).toBe(r.messages.measured);
    recordFigures({
      case: 'kill-shard',
      subject: 'c1m-load',
      outcome: 'partial result naming the dead shard, its connections counted C1M_SHARD_LOST, exit 1',
      figures: {
        shards: 2,
        connections: 20,
        connectionsLost: r.errorsByCause.C1M_SHARD_LOST ?? 0,
        repliesReceivedFromSurvivor: r.messages.received,
        exitCode: run.code ?? -1,
      },
    });
  });
});
