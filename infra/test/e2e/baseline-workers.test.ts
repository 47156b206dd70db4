// The C baseline server with --workers, the metal of bench:c1m: several processes on one port
// (SO_REUSEPORT), driven by the c1m driver over tcp with every reply checked, their counters summed
// by the parent. A worker killed from outside stops the whole server with exit 1 (a benchmark must not
// go on measuring a server that lost a share of its connections), and a bad --workers is refused.
import { readdirSync, readlinkSync } from 'node:fs';
import { readAllPidStats } from '@c1m/proc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runDriver } from '../../../clients/driver/test/run-driver.ts';
import { BaselineProcess } from './baseline-process.ts';

const WORKERS = 3;
const started: BaselineProcess[] = [];

async function start(args: string[]): Promise<BaselineProcess> {
  const p = await BaselineProcess.start(args);
  started.push(p);
  return p;
}

/** Pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readAllPidStats()
    .filter((s) => s.ppid === pid)
    .map((s) => s.pid);
}

/** Open sockets of a process (its listener among them). */
function socketsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(async () => {
  for (const p of started) await p.kill();
});

describe('the C baseline server with --workers', () => {
  it('serves one port from every worker, passes the driver checks and sums the workers counters', async () => {
    const server = await start(['--workers', String(WORKERS), '--port', '0']);
    const ready = await server.nextLine('ready');
    expect(ready).toMatchObject({ architecture: 'baseline-c', transport: 'tcp', processes: WORKERS + 1 });
    expect(ready.maxConnections).toBe(WORKERS * ((ready.fdLimit as number) - 6));
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(WORKERS);

    const running = runDriver(
      [
        'hold',
        '--target',
        `tcp://127.0.0.1:${ready.port as number}`,
        '--connections',
        '300',
        '--duration',
        '3s',
        '--ping-interval',
        '1s',
      ],
      60_000,
    );
    // While the connections are held, each worker has taken a share of them (SO_REUSEPORT spreads by hash).
    await new Promise((r) => setTimeout(r, 2000));
    const socketsDuring = workers.map(socketsOf);
    const run = await running;
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.passed, r.failures.join('; ')).toBe(true);
    expect(r.messages.mismatches).toBe(0);
    for (const sockets of socketsDuring) expect(sockets).toBeGreaterThan(1); // its listener and some connections
    const s = await server.stats();
    const frameBytes = 4 + 64;
    expect(s.connections).toMatchObject({ total: 300 });
    expect(s.bytesIn).toBe(r.messages.sent * frameBytes);
    expect(s.bytesOut).toBe(s.bytesIn);
  }, 90_000);

  it('stops every worker and exits 1 when one of them is killed', async () => {
    const server = await start(['--workers', String(WORKERS), '--port', '0']);
    await server.nextLine('ready');
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(WORKERS);
    process.kill(workers[0]!, 'SIGKILL');
    expect(await server.exited()).toBe(1);
    expect(server.stderr).toMatch(new RegExp(`worker ${workers[0]} exited on its own`));
    for (const pid of workers.slice(1)) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('exits 2 naming the valid range on a bad --workers', async () => {
    for (const bad of ['0', '257', 'x']) {
      const server = await start(['--workers', bad]);
      expect(await server.exited()).toBe(2);
      expect(server.stderr).toMatch(/C1M_BAD_FLAG_VALUE: --workers .*: must be processes from 1 to 256/);
    }
  });
});
