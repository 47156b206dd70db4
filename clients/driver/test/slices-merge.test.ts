// Slices run as separate processes (started as a pod starts them: JOB_COMPLETION_INDEX and the
// Job's env), merged by `c1m-load merge`: the merge adds histograms bucket by bucket (checked
// against an independent sum of the decoded buckets), its totals equal those of one coordinator
// doing the same run, and mixed or incomplete sets are refused with a coded error.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeHistogram, summarizeHistogram } from '@c1m/results';
import type { DriverResult } from '@c1m/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARD_ENV } from '../src/options/slice-spec.ts';
import { serverRegistry, startTcpEcho, type TestServer } from './echo-servers.ts';
import { ensureBuilt, runDriver, spawnDriver } from './run-driver.ts';

const servers = serverRegistry();
const SLICES = 3;
const CONNECTIONS = 150;
/** hold: every connection pings once per interval, so sent = connections × rounds in every run. */
const HOLD = [
  'hold',
  '--connections',
  String(CONNECTIONS),
  '--duration',
  '2s',
  '--ping-interval',
  '1s',
  '--connect-rate',
  '1500',
];

let server: TestServer;
let dir: string;
const files: string[] = [];
const slices: DriverResult[] = [];

/** Bucket counts of an encoded histogram, by bucket index (the internals the summary reads too). */
function bucketCounts(encoded: string): number[] {
  const h = decodeHistogram(encoded) as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number };
  return Array.from({ length: h.countsArrayLength }, (_, i) => h.getCountAtIndex(i));
}

function addArrays(parts: number[][]): number[] {
  const out = new Array<number>(Math.max(...parts.map((p) => p.length))).fill(0);
  for (const part of parts) part.forEach((n, i) => (out[i]! += n));
  return out;
}

beforeAll(async () => {
  ensureBuilt();
  server = await servers.start(startTcpEcho());
  dir = mkdtempSync(join(tmpdir(), 'c1m-slices-'));
  // Far enough ahead that every slice has forked its shard before the barrier on a loaded machine.
  const startAt = new Date(Date.now() + 4000).toISOString();
  const runs = await Promise.all(
    Array.from({ length: SLICES }, (_, i) =>
      // Exactly a pod's start: the index from JOB_COMPLETION_INDEX, count and start from the Job's env,
      // the result as the one JSON line on stdout (what `kubectl logs` collects).
      spawnDriver(
        [...HOLD, '--target', server.url, '--json', '-'],
        {
          ...process.env,
          [SHARD_ENV.index]: String(i),
          [SHARD_ENV.count]: String(SLICES),
          [SHARD_ENV.startAt]: startAt,
        },
        40_000,
      ),
    ),
  );
  runs.forEach((run, i) => {
    expect(run.code, run.stderr).toBe(0);
    const file = join(dir, `slice-${i}.log`);
    writeFileSync(file, `${run.stderr}${run.stdout}`);
    files.push(file);
    slices.push(JSON.parse(run.stdout) as DriverResult);
  });
}, 60_000);
afterAll(() => servers.closeAll());

describe('c1m-load merge', () => {
  it('adds every histogram bucket by bucket and every counter, and takes percentiles from the sum', async () => {
    const out = join(dir, 'merged.json');
    const run = await spawnDriver(['merge', ...files, '--json', out]);
    expect(run.code, run.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as DriverResult;
    for (const name of ['latencyCorrected', 'latencyUncorrected', 'connect'] as const) {
      const expected = addArrays(slices.map((s) => bucketCounts(s.histograms[name])));
      const got = bucketCounts(merged.histograms[name]);
      expect(got.slice(0, expected.length), name).toEqual(expected);
      expect(
        got.slice(expected.length).every((n) => n === 0),
        name,
      ).toBe(true);
    }
    const sum = (f: (r: DriverResult) => number) => slices.reduce((a, r) => a + f(r), 0);
    expect(merged.connections.established).toBe(sum((r) => r.connections.established));
    expect(merged.messages).toEqual({
      sent: sum((r) => r.messages.sent),
      received: sum((r) => r.messages.received),
      mismatches: 0,
      missing: 0,
      measured: sum((r) => r.messages.measured!),
      notSent: 0,
    });
    expect(merged.hold!.rounds.map((r) => r.answered)).toEqual(
      [0, 1].map((k) => sum((r) => r.hold!.rounds[k]!.answered)),
    );
    // Percentiles of the summed histogram, not an average of the slices' percentiles.
    const corrected = decodeHistogram(merged.histograms.latencyCorrected);
    expect(merged.latencyUs).toEqual(summarizeHistogram(corrected));
    expect(merged.driver.shards).toBe(SLICES);
    expect(merged.merge!.perShard.map((s) => [s.index, s.established])).toEqual(
      slices.map((s, i) => [i, s.connections.established]),
    );
    const offsets = slices.map((s) => s.shard!.startOffsetMs);
    expect(merged.merge!.startOffsetSpreadMs).toBeCloseTo(Math.max(...offsets) - Math.min(...offsets), 3);
    expect(merged.shard).toBeUndefined();
    // The same summary a local run prints, then one line per slice.
    expect(run.stdout).toMatch(/^c1m-load hold: .*\(hold, echo, ~64 B bodies, 3 shards\)/);
    expect(run.stdout).toMatch(/round 2 at 1s: 150 answered, 0 missed/);
    expect(run.stdout).toMatch(/slice 2 on .*: 50 established/);
  });

  it('gives the totals one coordinator gives for the same run', async () => {
    const local = await runDriver([...HOLD, '--target', server.url, '--shards', String(SLICES)], 40_000);
    expect(local.code, local.stderr).toBe(0);
    const merged = await spawnDriver(['merge', dir, '--json', '-']);
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout) as DriverResult;
    const l = local.result!;
    // Latencies differ between two real runs; what the plan fixes must not.
    for (const r of [m, l]) expect(r.connections.requested).toBe(CONNECTIONS);
    expect(m.connections).toMatchObject({
      requested: l.connections.requested,
      established: l.connections.established,
      failed: l.connections.failed,
    });
    expect(m.messages).toEqual(l.messages);
    expect(m.hold!.rounds).toEqual(l.hold!.rounds);
    expect(m.histograms.latencyCorrected === l.histograms.latencyCorrected).toBe(false);
    expect(decodeHistogram(m.histograms.latencyCorrected).totalCount).toBe(
      decodeHistogram(l.histograms.latencyCorrected).totalCount,
    );
    expect(m.driver.shards).toBe(l.driver.shards);
    expect(
      Object.keys(m)
        .filter((k) => k !== 'merge')
        .sort(),
    ).toEqual(Object.keys(l).sort());
  });

  /** Writes a copy of slice `i`'s result changed by `change`, and returns the file list with it replacing slice i. */
  function withChanged(i: number, change: (r: DriverResult) => void): string[] {
    const copy = structuredClone(slices[i]!);
    change(copy);
    const file = join(mkdtempSync(join(tmpdir(), 'c1m-slices-bad-')), `slice-${i}.json`);
    writeFileSync(file, JSON.stringify(copy));
    return files.map((f, k) => (k === i ? file : f));
  }

  /** An encoding with 2 significant digits instead of 3 (hdr-histogram-js through @c1m/results' own copy). */
  function twoDigitEncoding(): string {
    const hdr = createRequire(new URL('../../../packages/result-files/package.json', import.meta.url))(
      'hdr-histogram-js',
    ) as {
      build(o: object): { recordValue(v: number): void };
      encodeIntoCompressedBase64(h: unknown): string;
    };
    const h = hdr.build({ numberOfSignificantValueDigits: 2, useWebAssembly: false });
    h.recordValue(100);
    return hdr.encodeIntoCompressedBase64(h);
  }

  it.each([
    ['C1M_MERGE_MIXED_OPTIONS', 'pingIntervalMs', () => withChanged(1, (r) => (r.options.pingIntervalMs = 2000))],
    ['C1M_MERGE_MIXED_SCENARIO', 'scenario echo', () => withChanged(2, (r) => (r.scenario = 'echo'))],
    ['C1M_MERGE_MIXED_TARGET', 'target', () => withChanged(1, (r) => (r.target = ['tcp://127.0.0.1:1']))],
    [
      'C1M_MERGE_MIXED_HISTOGRAM',
      '2 significant digits',
      () => withChanged(1, (r) => (r.histograms.latencyCorrected = twoDigitEncoding())),
    ],
    [
      'C1M_MERGE_MIXED_START',
      'share --start-at',
      () => withChanged(1, (r) => (r.shard!.startAt = '2026-01-01T00:00:00.000Z')),
    ],
    ['C1M_MERGE_SHARD_SET', 'slice 0 appears twice', () => withChanged(2, (r) => (r.shard!.index = 0))],
    ['C1M_MERGE_SHARD_SET', 'slices 1 of 3 are missing', () => files.filter((_, k) => k !== 1)],
    ['C1M_MERGE_NOT_A_SLICE', 'not a slice', () => withChanged(0, (r) => delete r.shard)],
  ])('refuses with %s (%s), exit 2', async (code, detail, inputs) => {
    const run = await spawnDriver(['merge', ...inputs()]);
    expect(run.code, run.stdout).toBe(2);
    expect(run.stderr).toContain(`${code}: `);
    expect(run.stderr).toContain(detail);
    expect(run.stdout).toBe('');
  });
});
