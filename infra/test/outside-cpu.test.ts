// CPU of processes outside a run, read from the real /proc of real processes: a busy process
// beside the run counts, a busy process inside the run's tree does not.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { outsideCores, readOutsideTicks } from '../src/c1m/outside-cpu.ts';

const BUSY = 'const end = Date.now() + 8000; while (Date.now() < end);';
const started: ChildProcess[] = [];
const start = (args: string[]) => {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(child);
  return child;
};
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

describe('CPU outside the run', () => {
  it('counts a busy neighbour and pid 1, and not a busy process of the run', async () => {
    // The "run": an idle process whose child spins. Its neighbour spins too.
    const run = start([
      '-e',
      `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(BUSY)}], { ` +
        `stdio: 'ignore' }); console.log(c.pid); setTimeout(() => c.kill(), 8000);`,
    ]);
    const neighbour = start(['-e', BUSY]);
    const spinner = Number(
      await new Promise<string>((resolve) => run.stdout!.once('data', (d: Buffer) => resolve(d.toString()))),
    );
    await new Promise((r) => setTimeout(r, 300));
    const a = readOutsideTicks(run.pid);
    await new Promise((r) => setTimeout(r, 1500));
    const b = readOutsideTicks(run.pid);
    const used = outsideCores(a, b, 1.5);
    const names = Object.keys(b);
    expect(names).toContain(`node (${neighbour.pid})`);
    expect(names).not.toContain(`node (${run.pid})`);
    expect(names).not.toContain(`node (${spinner})`);
    // Everyone's ancestor is outside every run.
    expect(names.some((n) => n.endsWith(' (1)'))).toBe(true);
    // Two spinning processes on two cores: the neighbour's share is a large part of a core.
    const key = `node (${neighbour.pid})`;
    const neighbourCores = (b[key]! - a[key]!) / 100 / 1.5;
    expect(neighbourCores).toBeGreaterThan(0.3);
    expect(used.cores).toBeGreaterThanOrEqual(Math.round(neighbourCores * 100) / 100 - 0.01);
  });
});
