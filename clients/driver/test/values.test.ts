// Flag values and option defaults: targets, port ranges, source ranges, size distributions,
// µs durations, scenario-dependent defaults, and the errors (exit 2) for each bad form.
import { describe, expect, it } from 'vitest';
import { UsageError } from '@c1m/cli';
import { parseOptions } from '../src/options/options.ts';
import { CONNECTIONS_PER_SOURCE_IP, planShards, sourceIpsFor } from '../src/coordinator/plan.ts';
import { rateShares } from '../src/coordinator/run.ts';
import { autoSourceIps, parseDurationUs, parseSizeSpec, parseSourceIps, parseTargets } from '../src/options/values.ts';

describe('targets', () => {
  it('parses tcp and ws targets, expanding port ranges', () => {
    expect(parseTargets('tcp://127.0.0.1:9000-9002').map((t) => t.url)).toEqual([
      'tcp://127.0.0.1:9000',
      'tcp://127.0.0.1:9001',
      'tcp://127.0.0.1:9002',
    ]);
    expect(parseTargets('ws://127.0.0.1:9000/x,ws://[::1]:9001')).toEqual([
      { transport: 'ws', host: '127.0.0.1', port: 9000, path: '/x', url: 'ws://127.0.0.1:9000/x' },
      { transport: 'ws', host: '::1', port: 9001, path: '/', url: 'ws://[::1]:9001/' },
    ]);
  });

  it('parses tls://, wss:// and https:// as tcp, ws and http inside TLS', () => {
    expect(parseTargets('tls://127.0.0.1:9')).toEqual([
      { transport: 'tcp', host: '127.0.0.1', port: 9, path: '/', url: 'tls://127.0.0.1:9', tls: true },
    ]);
    expect(parseTargets('wss://h:1/x')[0]).toMatchObject({
      transport: 'ws',
      path: '/x',
      url: 'wss://h:1/x',
      tls: true,
    });
    expect(parseTargets('https://h:1')[0]).toMatchObject({ transport: 'http', url: 'https://h:1/', tls: true });
    expect(() => parseTargets('ws://h:1/,wss://h:2/')).toThrow(UsageError);
  });

  it.each([
    'udp://a:1',
    'http://a:1,ws://a:2',
    'tcp://a',
    'tcp://a:0',
    'tcp://a:9-8',
    'tcp://a:1/path',
    'tcp://a:1,ws://a:2',
  ])('rejects %s', (text) => {
    expect(() => parseTargets(text)).toThrow(UsageError);
  });

  it('folds repeated --target flags into one list', () => {
    const o = parseOptions(['hold', '--target', 'tcp://127.0.0.1:1', '--target=tcp://127.0.0.1:2-3'])!;
    expect(o.targets.map((t) => t.port)).toEqual([1, 2, 3]);
  });
});

describe('source addresses', () => {
  it('parses ranges and lists', () => {
    expect(parseSourceIps('127.0.0.2-127.0.0.4,10.0.0.1')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4', '10.0.0.1']);
    expect(() => parseSourceIps('127.0.0.9-127.0.0.2')).toThrow(UsageError);
    expect(() => parseSourceIps('nope')).toThrow(UsageError);
  });

  it('adds one loopback address per 20,000 connections only above 20,000', () => {
    const small = parseOptions([
      'hold',
      '--target',
      'tcp://127.0.0.1:1',
      '--connections',
      String(CONNECTIONS_PER_SOURCE_IP),
    ])!;
    expect(sourceIpsFor(small)).toEqual([]);
    const big = parseOptions(['hold', '--target', 'tcp://127.0.0.1:1', '--connections', '1000000'])!;
    const ips = sourceIpsFor(big);
    expect(ips).toHaveLength(50);
    expect(ips[0]).toBe('127.0.0.2');
    expect(ips[49]).toBe('127.0.0.51');
    expect(autoSourceIps(300, 100)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });
});

describe('sizes and durations', () => {
  it('parses fixed sizes, lists and uniform ranges', () => {
    expect(parseSizeSpec('64', 'echo')).toEqual({ kind: 'list', sizes: [64] });
    expect(parseSizeSpec('64,1KiB', 'echo')).toEqual({ kind: 'list', sizes: [64, 1024] });
    expect(parseSizeSpec('64-1024', 'echo')).toEqual({ kind: 'range', min: 64, max: 1024 });
    expect(parseSizeSpec('0', 'io')).toEqual({ kind: 'list', sizes: [0] });
    expect(() => parseSizeSpec('11', 'echo')).toThrow(/at least 12/);
    expect(() => parseSizeSpec('100-64', 'echo')).toThrow(UsageError);
  });

  it('parses µs durations', () => {
    expect(parseDurationUs('500us')).toBe(500);
    expect(parseDurationUs('10ms')).toBe(10_000);
    expect(parseDurationUs('1.5s')).toBe(1_500_000);
    expect(parseDurationUs('soon')).toBeUndefined();
  });
});

describe('options', () => {
  it('defaults to echo with scenario-dependent sizes and connect rates', () => {
    const echo = parseOptions(['--target', 'tcp://127.0.0.1:1'])!;
    expect(echo).toMatchObject({
      scenario: 'echo',
      connections: 100,
      connectRate: 5000,
      rate: 0,
      pipeline: 1,
      sloUs: 10_000,
    });
    expect(echo.size).toEqual({ kind: 'list', sizes: [64] });
    const short = parseOptions(['short', '--target', 'tcp://127.0.0.1:1'])!;
    expect(short.size).toEqual({ kind: 'list', sizes: [100] });
    expect(short.connectRate).toBe(0);
    expect(parseOptions(['--help'])).toBeNull();
    // pnpm start -- … passes the `--` on.
    expect(parseOptions(['--', 'hold', '--target', 'tcp://127.0.0.1:1'])!.scenario).toBe('hold');
  });

  it('refuses --rate for max-rate', () => {
    expect(() => parseOptions(['max-rate', '--target', 'tcp://127.0.0.1:1', '--rate', '5'])).toThrow(/--start-rate/);
  });
});

describe('plan', () => {
  it('splits connections, rates and first indexes over shards', () => {
    const o = parseOptions(['hold', '--target', 'tcp://127.0.0.1:1', '--connections', '10', '--connect-rate', '100'])!;
    const inits = planShards(o, 3, false);
    expect(inits.map((i) => i.connections)).toEqual([4, 3, 3]);
    expect(inits.map((i) => i.pool.firstIndex)).toEqual([0, 4, 7]);
    expect(inits.map((i) => i.connectRate)).toEqual([40, 30, 30]);
    expect(rateShares(700, [3, 2, 2])).toEqual([300, 200, 200]);
    expect(rateShares(700, [0, 0])).toEqual([0, 0]);
  });

  it('gives each shard its own slice of local ports for short --reuseport', () => {
    const o = parseOptions(['short', '--target', 'tcp://127.0.0.1:1', '--reuseport'])!;
    const [a, b] = planShards(o, 2, false);
    expect(b!.pool.localPorts!.first - a!.pool.localPorts!.first).toBe(1);
    expect(a!.pool.localPorts!.step).toBe(2);
  });
});
