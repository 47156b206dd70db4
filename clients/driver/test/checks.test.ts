// The driver's own checks: wrong replies and missing replies fail the run (exit 1), bad
// arguments exit 2 naming the valid choices, refused connections are counted by cause.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSysctl } from '@c1m/proc';
import { serverRegistry, startTcpEcho } from './echo-servers.ts';
import { ensureBuilt, runDriver } from './run-driver.ts';

const servers = serverRegistry();
beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

describe('c1m-load checks', () => {
  // Split: the replies come in 5-byte pieces, so they are checked on the decoder's path rather
  // than the one-whole-reply-per-read path.
  it.each([
    ['whole', { corruptEvery: 10 }],
    ['split', { corruptEvery: 3, splitBytes: 5 }],
  ] as const)('exits 1 and counts mismatches when the server corrupts replies (%s)', async (_, options) => {
    const s = await servers.start(startTcpEcho(options));
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '2',
      '--duration',
      '400ms',
      '--warmup',
      '0s',
    ]);
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.passed).toBe(false);
    expect(r.messages.mismatches).toBeGreaterThan(0);
    expect(r.errorsByCause.C1M_REPLY_MISMATCH).toBe(r.messages.mismatches);
    // A wrong reply is never a success.
    expect(r.messages.received + r.messages.mismatches).toBe(r.messages.sent);
    expect(r.failures.join(' ')).toMatch(/wrong/);
    expect(run.stdout).toContain('FAILED');
  });

  it('exits 1 and counts replies that never came', async () => {
    const s = await servers.start(startTcpEcho({ dropEvery: 50 }));
    // Every 50th request is dropped: 3 of the 150 sent. A grace of 2 s lets every other reply
    // arrive even on a busy 2-core machine, so exactly those 3 count as missing.
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '3',
      '--rate',
      '300',
      '--duration',
      '500ms',
      '--warmup',
      '0s',
      '--grace',
      '2s',
    ]);
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.messages.sent).toBe(150);
    expect(r.messages.missing).toBe(3);
    expect(r.messages.received).toBe(147);
    expect(r.failures.join(' ')).toMatch(/never came/);
  });

  it('counts refused connections by cause', async () => {
    const s = await startTcpEcho();
    const url = s.url;
    await s.close();
    const run = await runDriver([
      'echo',
      '--target',
      url,
      '--connections',
      '3',
      '--duration',
      '100ms',
      '--warmup',
      '0s',
    ]);
    expect(run.code).toBe(1);
    expect(run.result!.connections).toMatchObject({ established: 0, failed: 3, failedByCause: { ECONNREFUSED: 3 } });
  });

  it('binds source addresses on explicit ports and moves on when a port is taken', async () => {
    const s = await servers.start(startTcpEcho());
    // The first port this shard would use on 127.0.0.3, held by a listener: bind fails there.
    const first = Number((readSysctl('net.ipv4.ip_local_port_range') ?? '32768').split(/\s+/)[0]);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve()); // already taken by someone else: just as good
      blocker.listen(first, '127.0.0.3', () => resolve());
    });
    try {
      const run = await runDriver([
        'echo',
        '--target',
        s.url,
        '--source-ips',
        '127.0.0.3',
        '--connections',
        '3',
        '--duration',
        '200ms',
        '--warmup',
        '0s',
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.result!.connections).toMatchObject({ established: 3, failed: 0 });
    } finally {
      blocker.close();
    }
  });

  it('refuses too few source addresses for the connections, saying how many the port range needs', async () => {
    // More connections than any port range gives one address; the count needed follows this machine's range.
    const [first, last] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const run = await runDriver([
      'echo',
      '--target',
      'tcp://127.0.0.1:9',
      '--connections',
      '150000',
      '--source-ips',
      '127.0.0.2',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`give at least ${Math.ceil(150_000 / (last! - first! + 1))}`);
  });

  it.each([
    [['echo', '--target', 'tcp://127.0.0.1:9', '--workload', 'nope'], /one of: echo, cpu, io/],
    [['flood', '--target', 'tcp://127.0.0.1:9'], /valid scenarios: echo, hold, short, max-rate/],
    [['echo', '--target', 'tcp://127.0.0.1:9', '--size', '5'], /at least 12 bytes/],
    [['echo', '--target', 'udp://127.0.0.1:9'], /tcp:\/\/HOST:PORT/],
    [['echo', '--target', 'tcp://127.0.0.1:9', '--bogus'], /Valid flags: .*--connections/],
    [['echo'], /--target is required/],
    [['echo', '--target', 'tcp://127.0.0.1:9', '--connections', '40000', '--shards', '1'], /use --shards 3 or more/],
  ])('exits 2 on bad arguments: %j', async (args, message) => {
    const run = await runDriver(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.result).toBeUndefined();
  });

  it('prints a generated --help listing every flag with its default', async () => {
    const run = await runDriver(['--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--target',
      '--rate',
      '--pipeline',
      '--ping-interval',
      '--linger0',
      '--reuseport',
      '--slo',
      '--shards',
      '--source-ips',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('(default: 100)');
  });
});
