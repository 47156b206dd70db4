// The bench:all matrix on hand-made server lists and limits: coverage, caps and why, baseline
// interleaving, filters, repetitions.
import { describe, expect, it } from 'vitest';
import type { Limits } from '../src/matrix/limits.ts';
import { planMatrix, type PlanRequest } from '../src/matrix/plan.ts';
import { PROFILES } from '../src/matrix/profiles.ts';
import type { ServerInfo } from '../src/matrix/servers.ts';
import { estimateSeconds } from '../src/run/progress.ts';

const LIMITS: Limits = {
  fdSoft: 20_000,
  fdHard: 20_000,
  perProcessConnections: 19_000,
  memAvailableBytes: 23 * 2 ** 30,
  portRangeSize: 28_232,
  cores: 2,
};

const server = (dir: string, over: Partial<ServerInfo> = {}): ServerInfo => ({
  dir,
  transports: ['ws'],
  processModel: 'single-process',
  built: true,
  main: `/x/${dir}/dist/main.js`,
  ...over,
});

const SERVERS: ServerInfo[] = [
  server('conn-per-socket', { transports: ['tcp', 'ws'] }),
  server('cpu-bound', { transports: ['ws', 'tcp'], styles: ['loop', 'offload'], workload: 'cpu' }),
  server('prefork', { transports: ['ws', 'tcp'], processModel: 'multi-process' }),
  server('single-loop'),
];

function plan(over: Partial<PlanRequest> = {}, servers = SERVERS, limits = LIMITS) {
  return planMatrix(servers, limits, { profile: PROFILES.default, repeat: 1, baseline: true, ...over });
}

describe('bench:all matrix', () => {
  it('covers every server × transport × scenario, and each style of the workload servers', () => {
    const keys = plan().cases.map((c) => c.key);
    for (const t of ['tcp', 'ws']) {
      for (const s of ['echo-100', 'echo-10k', 'hold', 'short']) expect(keys).toContain(`${s} conn-per-socket ${t}`);
      for (const style of ['loop', 'offload']) expect(keys).toContain(`cpu cpu-bound ${t} ${style}`);
    }
    expect(keys).toContain('hold single-loop ws');
    expect(keys.filter((k) => k.startsWith('echo-100 cpu-bound'))).toEqual([]);
    expect(keys[0]).toBe('c-pair baseline-c tcp');
    expect(keys[keys.length - 1]!.startsWith('short')).toBe(true);
  });

  it('holds single-process servers at the per-process descriptor limit and multi-process ones beyond it', () => {
    const cases = plan().cases;
    expect(cases.find((c) => c.key === 'hold single-loop ws')!.connections).toBe(19_000);
    expect(cases.find((c) => c.key === 'hold baseline-c tcp')!.connections).toBe(19_000);
    const prefork = cases.find((c) => c.key === 'hold prefork ws')!;
    expect(prefork.connections).toBe(100_000);
    expect(prefork.workers).toBe(Math.ceil(100_000 / 19_000));
  });

  it('caps --connections at the descriptor limit for single-process servers and says why', () => {
    const p = plan({ connections: 50_000 });
    const single = p.cases.find((c) => c.key === 'hold single-loop ws')!;
    expect(single.connections).toBe(19_000);
    expect(single.caps.join()).toMatch(/descriptor limit of one process.*not the architecture/);
    expect(p.cases.find((c) => c.key === 'hold prefork tcp')!.connections).toBe(50_000);
    expect(p.notes.join('\n')).toMatch(/hold capped at 19,000 \(asked 50,000\)/);
  });

  it('caps multi-process holds by memory', () => {
    const p = plan({ connections: 1_000_000 }, SERVERS, { ...LIMITS, memAvailableBytes: 4 * 2 ** 30 });
    const prefork = p.cases.find((c) => c.key === 'hold prefork ws')!;
    expect(prefork.connections).toBe(Math.floor((4 * 2 ** 30 * 0.5) / 20_000));
    expect(prefork.caps.join()).toMatch(/half of available memory/);
  });

  it('brackets the echo groups with baseline cases so every row has one close in time', () => {
    const keys = plan()
      .cases.filter((c) => c.scenario === 'echo-100')
      .map((c) => c.server);
    // 5 architectures/transports with echo, a baseline before, after every 3rd, and at the end.
    expect(keys).toEqual([
      'baseline-c',
      'conn-per-socket',
      'conn-per-socket',
      'prefork',
      'baseline-c',
      'prefork',
      'single-loop',
      'baseline-c',
    ]);
  });

  it('runs echo-10k smaller in the quick profile and says so once', () => {
    const p = plan({ profile: PROFILES.quick });
    expect(p.cases.find((c) => c.key === 'echo-10k single-loop ws')!.connections).toBe(1000);
    expect(p.notes.filter((n) => n.includes('echo-10k') && n.includes('quick profile'))).toHaveLength(1);
  });

  it('filters by --only and --scenarios, keeping the baseline for ratios', () => {
    const keys = plan({ only: ['single-loop'], scenarios: ['echo-100'] }).cases.map((c) => c.key);
    expect(keys).toEqual(['echo-100 baseline-c tcp', 'echo-100 single-loop ws', 'echo-100 baseline-c tcp']);
  });

  it('skips unbuilt servers and runs without a baseline when there is no compiler', () => {
    const p = plan({ baseline: false }, [server('single-loop', { built: false }), server('multi-loop')]);
    expect(p.cases.some((c) => c.server === 'baseline-c' || c.server === 'single-loop')).toBe(false);
    expect(p.notes.join('\n')).toMatch(/single-loop: not built/);
    expect(p.notes.join('\n')).toMatch(/no C baseline/);
  });

  it('repeats the whole matrix in rounds with unique ids', () => {
    const cases = plan({ repeat: 3, scenarios: ['echo-100'], only: ['single-loop'] }).cases;
    expect(cases.map((c) => c.repetition)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('plans the quick matrix inside 3 minutes and the default inside 30 on this shape of machine', () => {
    const seven: ServerInfo[] = [
      ...SERVERS,
      server('io-bound', { transports: ['ws', 'tcp'], styles: ['loop', 'per-connection'], workload: 'io' }),
      server('multi-loop'),
      server('worker-pool'),
    ];
    const total = (profile: 'quick' | 'default') =>
      planMatrix(seven, LIMITS, { profile: PROFILES[profile], repeat: 1, baseline: true }).cases.reduce(
        (s, c) => s + estimateSeconds(c, PROFILES[profile]),
        0,
      );
    expect(total('quick')).toBeLessThan(180);
    expect(total('default')).toBeLessThan(30 * 60);
  });
});
