// bench:all's command line as a real process: bad flags exit 2 naming the valid choices, and
// --dry-run prints the plan without starting anything.
import { describe, expect, it } from 'vitest';
import { runInfraCli } from './helpers/run-cli.ts';

const benchAll = (args: string[]) => runInfraCli('bench-all.ts', args);

describe('pnpm bench:all command line', () => {
  it('rejects unknown flags, servers and scenarios with exit 2 and the valid choices', async () => {
    const flag = await benchAll(['--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--quick/);
    const only = await benchAll(['--only', 'no-such-server', '--dry-run']);
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/valid choices are .*baseline-c/);
    const scenarios = await benchAll(['--scenarios', 'echo,nope', '--dry-run']);
    expect(scenarios.code).toBe(2);
    expect(scenarios.stderr).toMatch(
      new RegExp(
        'hold, echo-100, echo-10k, cpu, io, short, c-pair, http-static-close, http-static, ' +
          'http-aes-close, http-aes, http-sleep, http-16k-close, tls-hold, echo, http',
      ),
    );
  });

  it('hands --c1m and every other flag to bench:c1m, whose answer and exit code are its own', async () => {
    const help = await benchAll(['--c1m', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Holds a million connections/);
    expect(help.stdout).toMatch(/--ping-interval/);
    const bad = await benchAll(['--c1m', '--transports', 'udp']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--transports udp: valid choices are ws, tcp/);
  });

  it('prints the planned cases with --dry-run and starts nothing', async () => {
    const { code, stdout, stderr } = await benchAll([
      '--quick',
      '--dry-run',
      '--only',
      'baseline-c',
      '--scenarios',
      'c-pair,echo-100',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/machine limits: RLIMIT_NOFILE/);
    expect(stdout.trim().split('\n')).toEqual([
      '001-c-pair-baseline-c-tcp  connections=100',
      '002-echo-100-baseline-c-tcp  connections=100',
    ]);
  });
});
