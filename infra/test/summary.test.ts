// Summary rows, baseline ratios and summary.md on hand-made runs.
import { describe, expect, it } from 'vitest';
import { loadRun } from '../src/model/load-run.ts';
import { caseMetrics } from '../src/model/metrics.ts';
import { summaryTables } from '../src/report/rows.ts';
import { mdCell, renderSummaryMarkdown } from '../src/report/summary-md.ts';
import { at, fixtureCase, writeFixtureRun } from './helpers/fixture-run.ts';

describe('case metrics', () => {
  it('derives CPU per million messages, bytes per connection and latency from a case', () => {
    const m = caseMetrics(
      fixtureCase(
        {
          scenario: 'echo-10k',
          server: 'single-loop',
          startedAt: at(0),
          serverCpuSeconds: 5,
          messages: 2_000_000,
          rssIdleBytes: 40e6,
          rssPeakBytes: 42e6,
          connections: 1000,
          latenciesUs: [100, 100, 100, 5000],
        },
        1,
      ),
    );
    expect(m.serverCpuSecondsPerMillionMessages).toBe(2.5);
    expect(m.serverBytesPerConnection).toBe(2000);
    expect(m.latencyP50Us).toBe(100);
    expect(m.latencyP99Us).toBeGreaterThanOrEqual(4995);
    expect(m.connectionsHeld).toBe(1000);
    expect(m.connectRatePerSecond).toBe(1000);
  });

  it('leaves memory per connection out below 1,000 connections, where heap growth drowns it', () => {
    const m = caseMetrics(
      fixtureCase(
        {
          scenario: 'echo-100',
          server: 'single-loop',
          startedAt: at(0),
          connections: 100,
          rssIdleBytes: 40e6,
          rssPeakBytes: 42e6,
        },
        1,
      ),
    );
    expect(m.serverBytesPerConnection).toBeUndefined();
    expect(m.errors).toBe(0);
  });
});

describe('summary rows', () => {
  it('divides by the baseline cases bracketing the row in time, not by one far away', () => {
    const dir = writeFixtureRun([
      { scenario: 'echo-100', server: 'baseline-c', startedAt: at(0), messagesPerSecond: 200_000 },
      { scenario: 'echo-100', server: 'single-loop', transport: 'ws', startedAt: at(10), messagesPerSecond: 100_000 },
      { scenario: 'echo-100', server: 'baseline-c', startedAt: at(20), messagesPerSecond: 300_000 },
      { scenario: 'echo-100', server: 'baseline-c', startedAt: at(5000), messagesPerSecond: 1_000 },
    ]);
    const { scenarios } = summaryTables(loadRun(dir).cases);
    expect(scenarios.map((s) => s.scenario)).toEqual(['echo-100']);
    const [base, node] = scenarios[0]!.rows;
    expect(base!.isBaseline).toBe(true);
    expect(base!.repetitions).toBe(3);
    expect(base!.metrics.messagesPerSecond).toBe(200_000); // median of three
    expect(node!.server).toBe('single-loop');
    expect(node!.ratios.messagesPerSecond).toBeCloseTo(100_000 / 250_000, 6);
  });

  it('takes the median over repetitions and keeps failures and steal flags per row', () => {
    const dir = writeFixtureRun([
      { scenario: 'echo-10k', server: 'prefork', startedAt: at(0), messagesPerSecond: 10, repetition: 1 },
      {
        scenario: 'echo-10k',
        server: 'prefork',
        startedAt: at(100),
        messagesPerSecond: 30,
        repetition: 2,
        stealPercent: 35,
      },
      { scenario: 'echo-10k', server: 'prefork', startedAt: at(200), messagesPerSecond: 20, repetition: 3 },
      { scenario: 'echo-10k', server: 'prefork', startedAt: at(300), repetition: 4, failed: 'driver exited 1' },
    ]);
    const row = summaryTables(loadRun(dir).cases).scenarios[0]!.rows[0]!;
    expect(row.metrics.messagesPerSecond).toBe(20);
    expect(row.passed).toBe(3);
    expect(row.failed).toBe(1);
    expect(row.stealFlagged).toBe(1);
    expect(row.failures).toEqual(['driver exited 1']);
    expect(row.ratios).toEqual({});
  });
});

describe('summary.md', () => {
  it('has one table per scenario with a row per server/transport and ratios to the baseline', () => {
    const dir = writeFixtureRun(
      [
        { scenario: 'hold', server: 'baseline-c', startedAt: at(0), connections: 19_000 },
        {
          scenario: 'hold',
          server: 'single-loop',
          transport: 'ws',
          startedAt: at(10),
          connections: 19_000,
          rssIdleBytes: 50e6,
          rssPeakBytes: 50e6 + 19_000 * 900,
        },
        { scenario: 'echo-100', server: 'baseline-c', startedAt: at(20), messagesPerSecond: 200_000 },
        {
          scenario: 'echo-100',
          server: 'conn-per-socket',
          transport: 'tcp',
          startedAt: at(30),
          messagesPerSecond: 50_000,
        },
        {
          scenario: 'short',
          server: 'conn-per-socket',
          transport: 'tcp',
          startedAt: at(40),
          shortLoopSeconds: [0.25, 0.5],
        },
      ],
      { notes: ['hold capped at 19,000: descriptor limit'] },
    );
    const md = renderSummaryMarkdown(loadRun(dir));
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toHaveLength(3);
    expect(md).toMatch(/\| single-loop \/ ws \| 19,000 \(1\.00×\) \|/);
    expect(md).toMatch(/\| 900 \(17×\) \|/); // bytes per connection, 17× the baseline's fixture 53 B
    expect(md).toMatch(/\| conn-per-socket \/ tcp \| 100 \(1\.00×\) \| 100 \(1\.00×\) \| 50,000 \(0\.25×\)/);
    expect(md).toMatch(/\| conn-per-socket \/ tcp \| 0\.250, 0\.500 \|/);
    expect(md).toContain('hold capped at 19,000: descriptor limit');
    expect(md).toContain('Fixture CPU @ 2.0GHz, 2 cores');
  });

  it('escapes table-breaking text from result files', () => {
    expect(mdCell('a|b\nc')).toBe('a\\|b c');
    const dir = writeFixtureRun([
      { scenario: 'echo-100', server: 'evil|server', startedAt: at(0), failed: 'boom | \n <script>' },
    ]);
    const md = renderSummaryMarkdown(loadRun(dir));
    expect(md).toContain('evil\\|server');
    expect(md).toMatch(/FAILED 1: boom \\\| +<script>/);
  });
});
