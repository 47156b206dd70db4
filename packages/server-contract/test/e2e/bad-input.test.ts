// Bad input on every server's command line, through each package's BUILT entry point: a bad
// flag, an unsupported transport and a hard backpressure limit at or below the soft one all
// exit 2 with a stable code and the valid choices, before anything listens.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureServerBuilt } from '../../src/conformance/fresh-build.ts';

const serversDir = fileURLToPath(new URL('../../../../servers', import.meta.url));
const servers = readdirSync(serversDir).map((name) => {
  const pkg = JSON.parse(readFileSync(join(serversDir, name, 'package.json'), 'utf8')) as {
    c1m: { transports: string[] };
  };
  return { name, dir: join(serversDir, name), transports: pkg.c1m.transports };
});

function runServer(dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(dir, 'dist', 'main.js'), ...args], { encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('every server refuses bad input with exit 2', () => {
  it('covers all seven server packages', () => {
    expect(servers.map((s) => s.name).sort()).toEqual([
      'conn-per-socket',
      'cpu-bound',
      'io-bound',
      'multi-loop',
      'prefork',
      'single-loop',
      'worker-pool',
    ]);
  });

  for (const server of servers) {
    const unsupported = ['tcp', 'ws'].find((t) => !server.transports.includes(t)) ?? 'quic';
    const cases = [
      {
        what: 'an unknown flag',
        args: ['--bogus', '1'],
        code: 'C1M_BAD_FLAG',
        says: /Unknown option '--bogus'[\s\S]*Valid flags: --host, --port, --transport/,
      },
      {
        what: `an unsupported transport (${unsupported})`,
        args: ['--transport', unsupported],
        code: 'C1M_BAD_FLAG_VALUE',
        says: new RegExp(`--transport "${unsupported}": must be one of: ${server.transports.join(', ')}`),
      },
      {
        what: 'a hard backpressure limit equal to the soft one',
        args: ['--backpressure-soft', '64KiB', '--backpressure-hard', '64KiB'],
        code: 'C1M_BACKPRESSURE_LIMITS',
        says: new RegExp(
          String.raw`--backpressure-hard \(65536 bytes\) must be larger than ` +
            String.raw`--backpressure-soft \(65536 bytes\): give a hard limit above 65536`,
        ),
      },
      {
        what: 'a hard backpressure limit below the soft one',
        args: ['--backpressure-soft', '1MiB', '--backpressure-hard', '512KiB'],
        code: 'C1M_BACKPRESSURE_LIMITS',
        says: /--backpressure-hard \(524288 bytes\) must be larger than --backpressure-soft \(1048576 bytes\)/,
      },
    ];
    it.each(cases)(`${server.name}: $what`, ({ args, code, says }) => {
      ensureServerBuilt(server.dir);
      const r = runServer(server.dir, args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${server.name}: ${code}: `);
      expect(r.stderr).toMatch(says);
      // Refused before starting: no ready line.
      expect(r.stdout).toBe('');
    });
  }
});
