// The closing "tests:" line counts a failed beforeAll/afterAll as failed, not as skipped or
// passed: vitest runs fixture files in a child process with only that reporter.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const fixtures = join(import.meta.dirname, 'fixtures', 'reporter');
const vitest = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'vitest');

function runFixtures(files: string[]) {
  const r = spawnSync(vitest, ['run', '--config', 'vitest.fixture-config.ts', ...files], {
    cwd: fixtures,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    code: r.status,
    line: /tests: \d+ passed, \d+ failed, \d+ skipped/.exec(r.stdout)?.[0] ?? r.stdout + r.stderr,
  };
}

describe('plain summary reporter', () => {
  it('counts a clean file as passed', () => {
    expect(runFixtures(['all-pass'])).toEqual({ code: 0, line: 'tests: 1 passed, 0 failed, 0 skipped' });
  });

  it('counts a failed beforeAll as a failure (its tests skipped)', () => {
    expect(runFixtures(['before-all-fails'])).toEqual({ code: 1, line: 'tests: 0 passed, 1 failed, 2 skipped' });
  });

  it('counts a failed afterAll as a failure next to the tests that passed', () => {
    expect(runFixtures(['after-all-fails'])).toEqual({ code: 1, line: 'tests: 1 passed, 1 failed, 0 skipped' });
  });
});
