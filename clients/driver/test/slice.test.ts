// Slicing a run over machines: the slices 0…K-1 a pod takes with --shard-index partition exactly
// what one coordinator plans (no connection, address, port or rate lost or doubled), and the
// slice flags resolve from the Indexed Job's environment or fail with a coded error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options/options.ts';
import { planShards, shardSlice, socketsNeeded, socketsPerShard } from '../src/coordinator/plan.ts';
import { parseSliceSpec, SHARD_ENV } from '../src/options/slice-spec.ts';
import { slicePlan } from '../src/coordinator/slice-run.ts';

/** fast-check prints its seed when a case fails; C1M_TEST_SEED replays it. */
const SEED = process.env.C1M_TEST_SEED === undefined ? undefined : Number(process.env.C1M_TEST_SEED);

/** Per global connection index: "target source", as the pool assigns them (undefined = never planned). */
function assignment(inits: ReturnType<typeof planShards>): string[] {
  const out: string[] = [];
  for (const init of inits) {
    const { targets, sourceIps, firstIndex } = init.pool;
    for (let k = 0; k < init.connections; k++) {
      const g = firstIndex + k;
      if (out[g] !== undefined) throw new Error(`connection ${g} planned twice (again by shard ${init.index})`);
      out[g] = `${targets[g % targets.length]!.url} ${sourceIps.length > 0 ? sourceIps[g % sourceIps.length]! : ''}`;
    }
  }
  return out;
}

/** The first index at which two assignments differ, or -1. */
function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe("shardSlice: K slices partition the coordinator's plan", () => {
  it('holds for random runs (fast-check; replay a failure with C1M_TEST_SEED)', () => {
    const run = fc.record({
      connections: fc.integer({ min: 1, max: 60_000 }),
      shardsWanted: fc.integer({ min: 1, max: 64 }),
      addresses: fc.integer({ min: 0, max: 6 }),
      targets: fc.integer({ min: 1, max: 3 }),
      rate: fc.integer({ min: 0, max: 1_000_000 }),
      connectRate: fc.integer({ min: 0, max: 20_000 }),
    });
    fc.assert(
      fc.property(run, ({ connections, shardsWanted, addresses, targets, rate, connectRate }) => {
        // At least as many slices as one process's descriptor limit needs (slicePlan refuses fewer).
        const shards = Math.min(connections, Math.max(shardsWanted, Math.ceil(connections / socketsPerShard())));
        const args = [
          'echo',
          '--connections',
          String(connections),
          '--connect-rate',
          String(connectRate),
          '--rate',
          String(rate),
        ];
        for (let t = 0; t < targets; t++) args.push('--target', `tcp://127.0.0.1:${9000 + t}`);
        // Enough addresses that the ephemeral ports of each suffice (the plan refuses fewer).
        if (addresses > 0)
          args.push(
            '--source-ips',
            Array.from({ length: addresses + Math.ceil(connections / 20_000) }, (_, i) => `10.201.0.${i + 2}`).join(
              ',',
            ),
          );
        const options = parseOptions(args)!;
        const whole = assignment(planShards(options, 1, false));
        const slices = Array.from({ length: shards }, (_, i) =>
          slicePlan(options, { index: i, count: shards, startAtMs: null }, false),
        );
        const sliced = assignment(slices.map((p) => p.inits[0]!));
        // Every global index exactly once (none twice: assignment throws; none lost: no hole),
        // with the same target and source address one shard gives it.
        expect(sliced.length).toBe(connections);
        expect(Object.keys(sliced).length).toBe(connections);
        expect(firstDifference(sliced, whole)).toBe(-1);
        // Rates: the slices' shares add up to the totals (floating point: within 1e-9 of them).
        const connectSum = slices.reduce((a, p) => a + p.inits[0]!.connectRate, 0);
        const messageSum = slices.reduce((a, p) => a + p.stepOptions.rate, 0);
        expect(Math.abs(connectSum - options.connectRate)).toBeLessThanOrEqual(1e-9 * Math.max(1, options.connectRate));
        expect(Math.abs(messageSum - rate)).toBeLessThanOrEqual(1e-9 * Math.max(1, rate));
        // Slice sizes differ by at most one connection.
        const sizes = slices.map((p) => p.inits[0]!.connections);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  });

  it("is the same function on both paths: the coordinator's shard I is a pod's slice I", () => {
    const options = parseOptions([
      'hold',
      '--target',
      'tcp://127.0.0.1:9000',
      '--connections',
      '72000',
      '--source-ips',
      '10.201.0.2-10.201.0.5',
    ])!;
    const plan = planShards(options, 4, false);
    for (let i = 0; i < 4; i++) {
      expect(slicePlan(options, { index: i, count: 4, startAtMs: null }, false).inits).toEqual([plan[i]]);
      expect(shardSlice(options, i, 4, false)).toEqual(plan[i]);
    }
    expect(plan.map((p) => [p.pool.firstIndex, p.connections])).toEqual([
      [0, 18000],
      [18000, 18000],
      [36000, 18000],
      [54000, 18000],
    ]);
  });

  it('gives the slices disjoint local ports on a bound source address', () => {
    const options = parseOptions([
      'hold',
      '--target',
      'tcp://127.0.0.1:9000',
      '--connections',
      '5000',
      '--source-ips',
      '10.201.0.2',
    ])!;
    const seen = new Map<number, number>();
    for (const init of planShards(options, 3, false)) {
      const { first, last, step } = init.pool.localPorts!;
      for (let port = first; port <= last; port += step) {
        expect(seen.get(port), `port ${port}`).toBeUndefined();
        seen.set(port, init.index);
      }
    }
    const { first, last } = planShards(options, 1, false)[0]!.pool.localPorts!;
    expect(seen.size).toBe(last - first + 1);
  });

  it('refuses an empty slice and one a process cannot hold', () => {
    const few = parseOptions(['hold', '--target', 'tcp://127.0.0.1:9000', '--connections', '3'])!;
    expect(() => slicePlan(few, { index: 3, count: 4, startAtMs: null }, false)).toThrow(/C1M_SHARD_EMPTY/);
    const many = parseOptions([
      'hold',
      '--target',
      'tcp://127.0.0.1:9000',
      '--connections',
      '1000000',
      '--source-ips',
      '10.201.0.2-10.201.0.60',
    ])!;
    expect(() => slicePlan(many, { index: 0, count: 2, startAtMs: null }, false)).toThrow(
      /C1M_SHARD_TOO_BIG.*--shard-count \d+ or more/,
    );
    expect(socketsNeeded(many)).toBe(1_000_000);
  });
});

describe('slice flags', () => {
  const none = { shardIndex: '', shardCount: '', startAt: '' };

  it("default from the Indexed Job's environment", () => {
    const env = { [SHARD_ENV.index]: '2', [SHARD_ENV.count]: '4', [SHARD_ENV.startAt]: '2026-12-03T12:00:00Z' };
    expect(parseSliceSpec('hold', none, env)).toEqual({ index: 2, count: 4, startAtMs: Date.UTC(2026, 11, 3, 12) });
    // Flags win over the environment.
    expect(parseSliceSpec('echo', { shardIndex: '1', shardCount: '3', startAt: '' }, env)).toEqual({
      index: 1,
      count: 3,
      startAtMs: Date.UTC(2026, 11, 3, 12),
    });
    // JOB_COMPLETION_INDEX alone (no count) is not a slice: a local run inside some other Job.
    expect(parseSliceSpec('hold', none, { [SHARD_ENV.index]: '0' })).toBeNull();
  });

  it.each([
    [{ ...none, shardCount: '4' }, {}, 'C1M_SHARD_INDEX_MISSING'],
    [{ ...none, shardIndex: '1' }, {}, 'C1M_SHARD_COUNT_MISSING'],
    [{ ...none, shardIndex: '4', shardCount: '4' }, {}, 'C1M_SHARD_FLAG'],
    [{ ...none, shardIndex: 'x', shardCount: '4' }, {}, 'C1M_SHARD_FLAG'],
    [{ ...none, shardIndex: '0', shardCount: '2', startAt: '2026-12-03T12:00:00' }, {}, 'C1M_SHARD_START_AT'],
    [none, { [SHARD_ENV.count]: '2', [SHARD_ENV.index]: '0', [SHARD_ENV.startAt]: 'soon' }, 'C1M_SHARD_START_AT'],
  ])('refuses %j (env %j) with %s', (flags, env, code) => {
    expect(() => parseSliceSpec('hold', flags, env)).toThrow(new RegExp(`^${code}: `));
  });

  it("refuses scenarios whose steps need every shard's replies", () => {
    expect(() => parseSliceSpec('max-rate', { ...none, shardIndex: '0', shardCount: '2' }, {})).toThrow(
      /C1M_SHARD_SCENARIO.*echo, hold/,
    );
    expect(() => parseSliceSpec('short', { ...none, shardIndex: '0', shardCount: '2' }, {})).toThrow(
      /C1M_SHARD_SCENARIO/,
    );
  });
});
