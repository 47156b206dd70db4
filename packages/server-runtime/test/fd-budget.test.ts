// The descriptor budget: the reserve kept back, "unlimited" (parsed by @c1m/proc, tested there),
// and the limit a real process started under prlimit reads about itself.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UNLIMITED } from '@c1m/proc';
import { connectionBudget } from '../src/fd-budget.ts';

describe('connectionBudget', () => {
  it('keeps 256 descriptors back and never goes below 0', () => {
    expect(connectionBudget(20000)).toBe(19744);
    expect(connectionBudget(1024)).toBe(768);
    expect(connectionBudget(256)).toBe(0);
    expect(connectionBudget(100)).toBe(0);
    expect(connectionBudget(UNLIMITED)).toBe(9_007_199_254_740_735);
  });

  it('is what a process started under prlimit computes for itself', () => {
    const source = new URL('../src/fd-budget.ts', import.meta.url).pathname;
    const script =
      `import('${source}').then((m) => console.log(JSON.stringify({ ...m.readFdLimit(), budget: ` +
      `m.connectionBudget() })))`;
    const out = execFileSync('prlimit', ['--nofile=700:900', process.execPath, '--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      cwd: new URL('..', import.meta.url).pathname,
    });
    // Node raises its soft limit to the hard one at start-up (node.cc), so the budget follows the hard limit.
    expect(JSON.parse(out)).toEqual({ soft: 900, hard: 900, budget: 644 });
  });
});
