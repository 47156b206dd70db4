// A worker thread of worker-pool's offload pool dies under load (terminated through the
// C1M_FAULT_INJECTION hook, as a crashing thread ends): the jobs it held are lost — their
// connections closed, counted C1M_WORKER_LOST by the server and missing by the driver, never a
// wrong reply — and the pool starts a replacement, back to full size in /stats, while the
// other connections keep being answered. One request in flight per connection makes the
// counts exact: each job on the dead thread is one connection lost.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '@c1m/server-contract/conformance';
import { ensureBuilt, runDriver } from '../../../../clients/driver/test/run-driver.ts';
import { lostConnections, recordFigures, serverDir, until } from './fault-tools.ts';

const WORKERS = 2;
const CONNECTIONS = 32;

describe('worker-pool with a worker thread killed under load', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
  });

  it('counts the replies in flight on it as lost, never wrong, and returns to full size', async () => {
    ensureBuilt();
    // 32 connections, each with its next request sent as soon as a reply comes, keep jobs at both workers.
    const s = await spawnServer({
      packageDir: serverDir('worker-pool'),
      args: ['--workers', String(WORKERS)],
      env: { C1M_FAULT_INJECTION: '1' },
    });
    servers.push(s);
    expect((await s.stats()).architectureStats?.poolWorkers).toBe(WORKERS);
    let framesOutAtKill = 0;
    const run = runDriver(
      [
        'echo',
        '--target',
        `ws://127.0.0.1:${s.ready.port}/`,
        '--connections',
        String(CONNECTIONS),
        '--pipeline',
        '1',
        '--warmup',
        '0',
        '--duration',
        '3s',
        '--grace',
        '1s',
      ],
      30_000,
    );
    await until('the load runs', async () => (await s.stats()).framesOut > 200);
    framesOutAtKill = (await s.stats()).framesOut;
    s.child.kill('SIGUSR2');
    // The pool says how many jobs died with the thread (those it had not answered when it ended).
    await until('the pool reports the lost worker', () => s.stderr().includes('"event":"worker-lost"'));
    const fault = JSON.parse(
      s
        .stderr()
        .split('\n')
        .find((l) => l.includes('"worker-lost"'))!,
    ) as { jobsLost: number };
    await until('the pool is back to full size', async () => {
      const st = await s.stats();
      return st.architectureStats?.poolWorkers === WORKERS && st.architectureStats?.poolWorkerRestarts === 1;
    });
    const { code, result } = await run;
    const stats = await s.stats();

    // Jobs were in flight on the victim; the server closed each one's connection, counted.
    expect(fault.jobsLost).toBeGreaterThan(0);
    expect(fault.jobsLost).toBeLessThan(CONNECTIONS);
    expect(stats.protocolErrors.C1M_WORKER_LOST).toBe(fault.jobsLost);
    // The driver lost exactly those connections and their one reply each; no reply was wrong.
    expect(code).toBe(1);
    const r = result!;
    expect(r.messages.mismatches).toBe(0);
    const lost = lostConnections(r.errorsByCause);
    expect(lost).toBe(fault.jobsLost);
    expect(r.messages.missing).toBe(lost);
    // The other connections kept being answered after the kill, every reply counted on both sides.
    expect(stats.framesOut).toBeGreaterThan(framesOutAtKill + 100);
    expect(r.messages.received).toBe(stats.framesOut);
    recordFigures({
      case: 'kill-worker',
      subject: 'worker-pool',
      outcome: 'replies in flight on the dead thread lost (connections closed), none wrong; pool back to full size',
      figures: {
        jobsLostWithThread: fault.jobsLost,
        serverWorkerLost: stats.protocolErrors.C1M_WORKER_LOST ?? 0,
        driverConnectionsLost: lost,
        driverRepliesMissing: r.messages.missing,
        driverRepliesWrong: r.messages.mismatches,
        driverRepliesReceived: r.messages.received,
        poolWorkersAfter: stats.architectureStats?.poolWorkers ?? 0,
        poolWorkerRestarts: stats.architectureStats?.poolWorkerRestarts ?? 0,
      },
    });
  });
});
