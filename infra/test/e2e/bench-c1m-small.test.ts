// bench:c1m end to end at a small size: real servers, the real sharded load generator, the
// kernel readings, the figures and the summary. (The million itself is a benchmark, run by hand.)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { C1mFigures } from '../../src/c1m/figures.ts';
import { ehashEntriesFor, netnsUnavailable, type NetworkPlacement } from '../../src/c1m/netns.ts';
import { repoRoot, resultsRoot } from '../../src/lib/paths.ts';
import type { CaseResult } from '../../src/model/case-result.ts';
import { availableParallelism } from 'node:os';
import { pinningUnavailable } from '../../src/run/cpu-pinning.ts';
import { readSysctlValue } from '../../src/sys/proc.ts';
import { ensureFreshBuilds } from './fresh-builds.ts';

const runId = `test-c1m-${process.pid}`;
const runDir = join(resultsRoot, runId);
beforeAll(() => ensureFreshBuilds(), 300_000);
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('pnpm bench:c1m (small)', () => {
  it(
    'holds every connection on prefork over ws and tcp, on a single-process server and on the metal, pinging ' +
      'each, and writes the figures',
    () => {
      const childEhashBefore = readSysctlValue('net.ipv4.tcp_child_ehash_entries');
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(repoRoot, 'infra/src/bench-c1m.ts'),
          '--connections',
          '3000',
          '--workers',
          '2',
          '--hold',
          '2s',
          '--ping-interval',
          '1s',
          '--connect-rate',
          '6000',
          '--ceilings',
          'single-loop',
          '--metal',
          '--tune',
          'check',
          '--run-id',
          runId,
        ],
        { cwd: repoRoot, encoding: 'utf8', timeout: 150_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/\[1\/4\] c1m-hold single-loop ws/);
      const out = JSON.parse(readFileSync(join(runDir, 'c1m.json'), 'utf8')) as {
        figures: C1mFigures[];
        network: NetworkPlacement;
        pinning: unknown;
      };
      // Servers and load generator on CPUs of their own, in the commands the case records too.
      // The lower half of the CPUs for the load generator, the upper half for the servers.
      const cpus = availableParallelism();
      const half = Math.floor(cpus / 2);
      const list = (from: number, to: number) => (from === to ? `${from}` : `${from}-${to}`);
      const split = cpus >= 2 ? { load: list(0, half - 1), server: list(half, cpus - 1) } : undefined;
      expect(out.pinning).toEqual(split ?? { none: pinningUnavailable() });
      const prefork = JSON.parse(
        readFileSync(
          join(runDir, 'cases', readdirSync(join(runDir, 'cases')).find((f) => f.includes('prefork-ws'))!),
          'utf8',
        ),
      ) as CaseResult;
      if (split) expect(prefork.server.command.slice(0, 3)).toEqual(['taskset', '-c', split.server]);
      // Where root, unshare and ip are there (CI), the connections had a namespace of their own
      // with a hash table sized for both ends, and the host's setting is as it was.
      const unavailable = netnsUnavailable();
      if (unavailable === undefined)
        expect(out.network).toEqual({ namespace: 'own', ehashEntries: ehashEntriesFor(2 * 3000) });
      else expect(out.network).toMatchObject({ namespace: 'host', why: unavailable });
      expect(readSysctlValue('net.ipv4.tcp_child_ehash_entries')).toBe(childEhashBefore);
      expect(out.figures.map((f) => `${f.server} ${f.transport}`)).toEqual([
        'single-loop ws',
        'prefork ws',
        'prefork tcp',
        'baseline-c tcp',
      ]);
      for (const f of out.figures) {
        expect(f.passed, f.failures.join('; ')).toBe(true);
        expect(f.heldConnections).toBe(3000);
        expect(f.failedConnections).toBe(0);
        expect(f.pingRounds.length).toBeGreaterThanOrEqual(2);
        for (const r of f.pingRounds) expect(r).toMatchObject({ answered: 3000, missed: 0 });
        expect(f.kernelBytesPerConnection).toBeGreaterThan(0);
        expect(f.memAvailableBytesMin).toBeGreaterThan(0);
        expect(f.memAvailableBytesMin).toBeLessThanOrEqual(f.memAvailableBytesBefore + 512 * 1024 ** 2);
      }
      expect(out.figures[1]!.serverProcesses).toBe(3);
      // The metal runs in as many processes as prefork (its parent only supervises).
      expect(out.figures[3]!.serverProcesses).toBe(3);
      const summary = readFileSync(join(runDir, 'c1m-summary.md'), 'utf8');
      expect(summary).toContain('| c1m-hold prefork ws | 3,000 / 3,000 | 0 | 3 |');
      expect(summary).toContain('| c1m-hold baseline-c tcp | 3,000 / 3,000 | 0 | 3 |');
      expect(summary).toMatch(/descriptor limit of one process on this machine/);
    },
  );
});
