// The descriptor budget: parsing /proc/<pid>/limits (including "unlimited"), the reserve kept
// back, and the limit a real process started under prlimit reads about itself.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connectionBudget, parseFdLimits } from '../src/fd-budget.ts';

/** The layout of /proc/self/limits (Linux fs/proc/base.c: fixed-width columns). */
const limitsText = (soft: string, hard: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    `Max open files            ${soft.padEnd(21)}${hard.padEnd(21)}files     `,
    'Max locked memory         8388608              8388608              bytes     ',
    '',
  ].join('\n');

describe('parseFdLimits', () => {
  it('reads the soft and hard "Max open files"', () => {
    expect(parseFdLimits(limitsText('20000', '20000'))).toEqual({ soft: 20000, hard: 20000 });
    expect(parseFdLimits(limitsText('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
  });

  it('takes "unlimited" as the ceiling it is given (the kernel\'s fs.nr_open), never as a sentinel', () => {
    expect(parseFdLimits(limitsText('unlimited', 'unlimited'), 1_048_576)).toEqual({ soft: 1_048_576, hard: 1_048_576 });
    expect(parseFdLimits(limitsText('4096', 'unlimited'), 2_000_000)).toEqual({ soft: 4096, hard: 2_000_000 });
  });

  it('says it cannot tell when the line is missing or not numbers', () => {
    expect(parseFdLimits('Limit   Soft Limit   Hard Limit   Units\n')).toBeUndefined();
    expect(parseFdLimits(limitsText('lots', '20000'))).toBeUndefined();
    expect(parseFdLimits('')).toBeUndefined();
  });
});

describe('connectionBudget', () => {
  it('keeps 256 descriptors back and never goes below 0', () => {
    expect(connectionBudget(20000)).toBe(19744);
    expect(connectionBudget(1024)).toBe(768);
    expect(connectionBudget(256)).toBe(0);
    expect(connectionBudget(100)).toBe(0);
  });

  it('is what a process started under prlimit computes for itself', () => {
    const source = new URL('../src/fd-budget.ts', import.meta.url).pathname;
    const script = `import('${source}').then((m) => console.log(JSON.stringify({ ...m.readFdLimit(), budget: m.connectionBudget() })))`;
    const out = execFileSync('prlimit', ['--nofile=700:900', process.execPath, '--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      cwd: new URL('..', import.meta.url).pathname,
    });
    // Node raises its soft limit to the hard one at start-up (node.cc), so the budget follows the hard limit.
    expect(JSON.parse(out)).toEqual({ soft: 900, hard: 900, budget: 644 });
  });
});
