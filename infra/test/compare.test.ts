// compare and its noise rule on hand-made runs: what is flagged, what is noise, what is refused.
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../src/compare/compare-runs.ts';
import { envDifferences } from '../src/compare/env-diff.ts';
import { renderComparison } from '../src/compare/markdown.ts';
import { judge, sameCodeRatios } from '../src/compare/noise.ts';
import { loadRun } from '../src/model/load-run.ts';
import { at, FIXTURE_ENV, type FixtureCase, writeFixtureRun } from './helpers/fixture-run.ts';
import { runInfraCli } from './helpers/run-cli.ts';

const compareCli = (args: string[]) => runInfraCli('compare.ts', args);

/** Repetitions of one echo case with the given msgs/s, one per 100 s from `t0`. */
function reps(rates: number[], t0: number, extra: Partial<FixtureCase> = {}): FixtureCase[] {
  return rates.map((messagesPerSecond, i) => ({
    scenario: 'echo-100',
    server: 'single-loop',
    transport: 'ws',
    startedAt: at(t0 + i * 100),
    messagesPerSecond,
    repetition: i + 1,
    ...extra,
  }));
}

describe('noise rule', () => {
  it('measures noise as the largest same-code ratio away from 1', () => {
    expect(sameCodeRatios([100, 110, 99])).toEqual([1.1, 0.9]);
    const j = judge([100, 104, 100], [120, 125, 121])!;
    expect(j.noise).toBeCloseTo(125 / 120 - 1, 6); // B's own spread beats A's 4%
    expect(j.ratio).toBeCloseTo(125 / 104, 6); // median of 120/100, 125/104, 121/100
    expect(j.notable).toBe(true);
  });

  it('does not flag a change inside the noise band', () => {
    const j = judge([100, 120, 100], [110, 130, 110])!;
    expect(j.noise).toBeCloseTo(0.2, 6);
    expect(j.notable).toBe(false);
  });

  it('does not flag below the 2% floor even with no noise', () => {
    expect(judge([100, 100], [101.5, 101.5])!.notable).toBe(false);
    expect(judge([100, 100], [103, 103])!.notable).toBe(true);
  });

  it('does not flag when the rounds disagree on the direction', () => {
    const j = judge([100, 100, 100], [90, 130, 125])!;
    expect(j.ratio).toBeCloseTo(1.25, 6);
    expect(j.notable).toBe(false);
  });

  it('leaves the noise unmeasured with one repetition per side and applies the floor', () => {
    const j = judge([100], [95])!;
    expect(j.noise).toBeUndefined();
    expect(j.noiseSource).toBe('unmeasured');
    expect(j.threshold).toBe(0.02);
    expect(j.notable).toBe(true);
  });
});

describe('compareRuns', () => {
  it('flags a throughput regression and a p99 change by direction', () => {
    const a = writeFixtureRun(reps([100_000, 101_000, 100_500], 0, { latenciesUs: [100, 200, 300] }), { runId: 'a' });
    const b = writeFixtureRun(reps([80_000, 80_500, 81_000], 1000, { latenciesUs: [100, 200, 300] }), { runId: 'b' });
    const c = compareRuns([loadRun(a)], [loadRun(b)]);
    const rate = c.rows.find((r) => r.metric === 'messagesPerSecond')!;
    expect(rate.verdict).toBe('regression');
    expect(rate.change).toBeCloseTo(80_500 / 101_000 - 1, 2);
    expect(c.rows.find((r) => r.metric === 'latencyP99Us')!.verdict).toBe('within noise');
    expect(c.regressions).toBe(1);
    const md = renderComparison(c);
    expect(md).toMatch(
      new RegExp(
        String.raw`\| echo-100 single-loop ws \| msgs\/s \| 100,500 \| 80,500 \| \*\*-20\.\d%\*\* ` +
          String.raw`\| 3: 0\.\d\d–0\.\d\d \| ±1\.0% \| \*\*regression\*\* \|`,
      ),
    );
  });

  it('calls a faster B an improvement and leaves steal-flagged repetitions out', () => {
    const a = writeFixtureRun(reps([100_000, 100_000], 0));
    const b = writeFixtureRun([
      ...reps([150_000, 150_000], 1000),
      ...reps([1], 2000, { stealPercent: 40, repetition: 3 }),
    ]);
    const c = compareRuns([loadRun(a)], [loadRun(b)]);
    const rate = c.rows.find((r) => r.metric === 'messagesPerSecond')!;
    expect(rate.verdict).toBe('improvement');
    expect(rate.judgement.rounds).toBe(2);
    expect(c.notes.join('\n')).toMatch(/1 repetition\(s\) left out/);
  });

  it('pairs runs given as lists in time order (A B A B)', () => {
    const a1 = writeFixtureRun(reps([100], 0));
    const b1 = writeFixtureRun(reps([110], 100));
    const a2 = writeFixtureRun(reps([101], 200));
    const b2 = writeFixtureRun(reps([111], 300));
    const c = compareRuns([loadRun(a1), loadRun(a2)], [loadRun(b1), loadRun(b2)]);
    const rate = c.rows.find((r) => r.metric === 'messagesPerSecond')!;
    expect(rate.judgement.rounds).toBe(2);
    expect(rate.judgement.minRatio).toBeCloseTo(111 / 101, 6);
    expect(rate.judgement.maxRatio).toBeCloseTo(110 / 100, 6);
    expect(rate.verdict).toBe('improvement');
  });

  it("borrows the noise of the C baseline's repeated cases for a case run once per side", () => {
    const base = (rates: number[], t0: number): FixtureCase[] =>
      rates.map((messagesPerSecond, i) => ({
        scenario: 'echo-100',
        server: 'baseline-c',
        startedAt: at(t0 + i * 50),
        messagesPerSecond,
      }));
    // The baseline moved 10% between its brackets: a 5% change of the architecture is noise.
    const a = writeFixtureRun([...base([200, 220], 0), ...reps([100], 10)]);
    const b = writeFixtureRun([...base([200, 200], 1000), ...reps([105], 1010)]);
    const c = compareRuns([loadRun(a)], [loadRun(b)]);
    const rate = c.rows.find((r) => r.key === 'echo-100 single-loop ws' && r.metric === 'messagesPerSecond')!;
    expect(rate.judgement.noiseSource).toBe('baseline');
    expect(rate.judgement.noise).toBeCloseTo(0.1, 6);
    expect(rate.verdict).toBe('within noise');
    expect(renderComparison(c)).toMatch(/±10\.0% \(baseline\)/);
  });

  it('lists cases found on one side only and skips cases whose parameters differ', () => {
    const a = writeFixtureRun([
      ...reps([1], 0),
      { scenario: 'hold', server: 'prefork', startedAt: at(5), connections: 40_000 },
    ]);
    const b = writeFixtureRun([
      { scenario: 'hold', server: 'prefork', startedAt: at(5), connections: 39_000 },
      { scenario: 'short', server: 'prefork', startedAt: at(9) },
    ]);
    const c = compareRuns([loadRun(a)], [loadRun(b)]);
    expect(c.onlyInA).toEqual(['echo-100 single-loop ws']);
    expect(c.onlyInB).toEqual(['short prefork tcp']);
    expect(c.notes.join('\n')).toMatch(
      /hold prefork tcp: not compared, parameters differ \(connections 40000 vs 39000\)/,
    );
  });

  it('names the environment differences that matter', () => {
    expect(envDifferences(FIXTURE_ENV, { ...FIXTURE_ENV, node: 'v20.1.0', kernel: 'other' })).toEqual([]);
    expect(envDifferences(FIXTURE_ENV, { ...FIXTURE_ENV, cores: 4, node: 'v22.1.0', cpuModel: 'Other' })).toEqual([
      'CPU model: Fixture CPU @ 2.0GHz vs Other',
      'cores: 2 vs 4',
      'Node major: v20.20.0 vs v22.1.0',
    ]);
  });
});

describe('pnpm compare', () => {
  it('prints markdown, exits 1 on a regression with --fail-on-regression, emits JSON', async () => {
    const a = writeFixtureRun(reps([100_000, 100_000], 0), { runId: 'base' });
    const b = writeFixtureRun(reps([50_000, 50_000], 1000), { runId: 'head' });
    const plain = await compareCli([a, b]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^# compare: B \(head\) against A \(base\)/);
    expect((await compareCli([a, b, '--fail-on-regression'])).code).toBe(1);
    const json = await compareCli([a, b, '--json']);
    expect(JSON.parse(json.stdout).regressions).toBe(1);
    expect((await compareCli([a, a, '--fail-on-regression'])).code).toBe(0);
  });

  it('refuses different environments unless --force, and rejects bad arguments with exit 2', async () => {
    const a = writeFixtureRun(reps([100], 0));
    const b = writeFixtureRun(reps([100], 100), { env: { cores: 8 } });
    const refused = await compareCli([a, b]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/cores: 2 vs 8.*--force/);
    expect((await compareCli([a, b, '--force'])).code).toBe(0);
    const bad = await compareCli([a, b, '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-on-regression/);
    expect((await compareCli([a])).code).toBe(2);
    expect((await compareCli([a, '/nonexistent/run'])).code).toBe(2);
  });
});
