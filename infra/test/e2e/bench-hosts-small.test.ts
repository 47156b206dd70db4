// bench:hosts end to end at a small size: 2 simulated hosts (network namespaces) running the load
// Job's pods against the server pod, merged; and the namespaces gone again after success, after a
// failure (a server that cannot start) and after Ctrl-C in the middle of a hold.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readPidStat } from '@c1m/proc';
import type { DriverResult } from '@c1m/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { namespacesUnavailable } from '../../src/c1m/netns.ts';
import { listNamespaces, namespacePrefix } from '../../src/hosts/network.ts';
import { repoRoot, resultsRoot } from '../../src/lib/paths.ts';

const BENCH = [process.execPath, '--import', 'tsx', join(repoRoot, 'infra/src/bench-hosts.ts')];
const runIds: string[] = [];
afterAll(() => {
  for (const id of runIds) rmSync(join(resultsRoot, id), { recursive: true, force: true });
});

function newRunId(kind: string): string {
  const id = `test-hosts-${kind}-${process.pid}`;
  runIds.push(id);
  return id;
}

/** Namespaces (and their /etc/netns files) a run left behind. */
function leftBehind(runId: string): string[] {
  const prefix = namespacePrefix(runId);
  const namespaces = listNamespaces().filter((n) => n.startsWith(prefix));
  const files = existsSync('/etc/netns')
    ? execFileSync('ls', ['/etc/netns'], { encoding: 'utf8' })
        .split('\n')
        .filter((n) => n.startsWith(prefix))
    : [];
  return [...namespaces, ...files.map((f) => `/etc/netns/${f}`)];
}

const unavailable = namespacesUnavailable();

describe('pnpm bench:hosts (small)', () => {
  it('runs 2 hosts of the load Job against the server pod and merges them exactly, then removes the hosts', () => {
    const runId = newRunId('ok');
    const run = spawnSync(
      BENCH[0]!,
      [
        ...BENCH.slice(1),
        '--hosts',
        '2',
        '--connections-per-host',
        '150',
        '--echo-connections-per-host',
        '40',
        '--hold',
        '2s',
        '--ping-interval',
        '1s',
        '--echo-duration',
        '1s',
        '--run-id',
        runId,
      ],
      { cwd: repoRoot, encoding: 'utf8', timeout: 150_000 },
    );
    if (unavailable !== undefined) {
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('C1M_HOSTS_UNAVAILABLE');
      return;
    }
    expect(run.status, run.stderr).toBe(0);
    const dir = join(resultsRoot, runId);
    const hold = JSON.parse(readFileSync(join(dir, 'hold', 'merged.json'), 'utf8')) as DriverResult;
    expect(hold.connections).toMatchObject({ requested: 300, established: 300, failed: 0 });
    expect(hold.hold!.rounds.map((r) => [r.answered, r.missed])).toEqual([
      [300, 0],
      [300, 0],
    ]);
    // Each slice ran on its own host (UTS name) at its own address, as pod I of the Job.
    expect(hold.merge!.perShard.map((s) => [s.index, s.hostname, s.established])).toEqual([
      [0, 'c1m-load-0', 150],
      [1, 'c1m-load-1', 150],
    ]);
    expect(hold.target).toEqual(['ws://c1m-server:9000/']);
    const slice0 = readFileSync(join(dir, 'hold', 'slice-0.log'), 'utf8');
    expect(slice0).toMatch(/^result {7}PASSED$/m);
    const echo = JSON.parse(readFileSync(join(dir, 'echo', 'merged.json'), 'utf8')) as DriverResult;
    expect(echo.connections.established).toBe(80);
    expect(echo.messages.missing).toBe(0);
    expect(echo.messages.received).toBe(echo.merge!.perShard.reduce((a, s) => a + s.received, 0));
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary.match(/every counter of the merge is the sum of the hosts'/g)).toHaveLength(2);
    expect(summary).toContain('| connections established | 150 + 150 | 300 | 300 | = |');
    expect(summary).toMatch(/### Clock: start offsets .* spread [\d.]+ ms/);
    expect(leftBehind(runId)).toEqual([]);
  });

  it('removes the hosts when the server pod cannot start', () => {
    const runId = newRunId('fail');
    // single-loop serves ws only: it exits with a usage error before its ready line.
    const run = spawnSync(
      BENCH[0]!,
      [
        ...BENCH.slice(1),
        '--hosts',
        '2',
        '--cases',
        'hold',
        '--server',
        'single-loop',
        '--transport',
        'tcp',
        '--run-id',
        runId,
      ],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (unavailable !== undefined) {
      expect(run.stderr).toContain('C1M_HOSTS_UNAVAILABLE');
      return;
    }
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the server exited \(code 2\) before it was ready/);
    expect(leftBehind(runId)).toEqual([]);
  });

  it('stops every process and removes the hosts on Ctrl-C in the middle of a hold', async () => {
    const runId = newRunId('int');
    const child = spawn(
      BENCH[0]!,
      [
        ...BENCH.slice(1),
        '--hosts',
        '2',
        '--cases',
        'hold',
        '--connections-per-host',
        '50',
        '--hold',
        '60s',
        '--run-id',
        runId,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    if (unavailable !== undefined) {
      expect(await exited).toBe(2);
      expect(stderr).toContain('C1M_HOSTS_UNAVAILABLE');
      return;
    }
    // Wait until both slices run in their hosts (bounded: 30 s).
    const prefix = namespacePrefix(runId);
    let pids: number[] = [];
    for (let i = 0; i < 300 && pids.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = listNamespaces()
        .filter((n) => n.startsWith(`${prefix}load-`))
        .flatMap((n) =>
          execFileSync('ip', ['netns', 'pids', n], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number),
        );
    }
    expect(pids.length, stderr).toBeGreaterThanOrEqual(2);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('interrupted: stopping every process');
    // A process killed at the end may still be in /proc for a moment: as a zombie (exited, not yet reaped by
    // init once its parent is gone) or finishing its exit. Running ones are what must not be left.
    const running = () =>
      pids.filter((pid) => {
        const stat = readPidStat(pid);
        return stat !== undefined && stat.state !== 'Z';
      });
    for (let i = 0; i < 20 && running().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(running()).toEqual([]);
    expect(leftBehind(runId)).toEqual([]);
  });
});
