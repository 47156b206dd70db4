// runCli, the one top-level catch, in real child processes: the exit code and the coded line on
// stderr for a usage error (2), a coded error (1), an errno (1), a bug (1, with its stack) and a
// returned code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./fixtures/cli-entry.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function run(how: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, how], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('runCli', () => {
  it('exits 2 on a usage error and prints it with C1M_USAGE', () => {
    expect(run('usage')).toEqual({
      status: 2,
      stderr: 'fixture: C1M_USAGE: --colour red: valid choices are blue, green\n',
    });
  });

  it('exits 1 on a coded error and prints its code once', () => {
    expect(run('coded')).toEqual({ status: 1, stderr: 'fixture: C1M_IO_RANGE: too far\n' });
    expect(run('errno')).toEqual({
      status: 1,
      stderr: 'fixture: EADDRINUSE: listen EADDRINUSE: address already in use\n',
    });
  });

  it('prints an uncoded error as C1M_INTERNAL with its stack', () => {
    const r = run('bug');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^fixture: C1M_INTERNAL: x is not a function\nTypeError: x is not a function\n\s+at /);
  });

  it('takes a returned number as the exit code, and 0 when main returns nothing', () => {
    expect(run('three').status).toBe(3);
    expect(run('ok')).toEqual({ status: 0, stderr: '' });
  });
});
