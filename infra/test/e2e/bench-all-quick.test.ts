// End to end: `bench:all --quick` over every built server and the C baseline, then the checks a
// reader relies on: every planned case produced a result, the summary has its tables, and the
// report renders in headless Chromium with the run's own numbers in its charts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsRoot } from '../../src/lib/paths.ts';
import type { RunInfo } from '../../src/model/case-result.ts';
import { loadRun } from '../../src/model/load-run.ts';
import { drawnCharts, launchChromium, openReport } from '../helpers/browser.ts';
import { runInfraCli } from '../helpers/run-cli.ts';
import { ensureFreshBuilds } from './fresh-builds.ts';

const runId = `e2e-quick-${process.pid}-${Date.now()}`;
const dir = join(resultsRoot, runId);

beforeAll(() => ensureFreshBuilds(), 300_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('bench:all --quick', () => {
  it('runs the whole matrix, records every case and renders the report', { timeout: 480_000 }, async () => {
    const { code: exitCode, stderr } = await runInfraCli('bench-all.ts', ['--quick', '--run-id', runId]);
    expect(existsSync(join(dir, 'run.json')), stderr.slice(-2000)).toBe(true);

    const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunInfo;
    const loaded = loadRun(dir);
    expect(info.cases.length).toBeGreaterThan(0);
    expect(loaded.cases.map((c) => c.case.id)).toEqual(info.cases.map((c) => c.id));
    const failed = loaded.cases
      .filter((c) => c.status !== 'passed')
      .map((c) => `${c.case.id}: ${c.failures.join('; ')}`);
    expect(failed, stderr.slice(-2000)).toEqual([]);
    expect(exitCode).toBe(0);
    expect(info.wallSeconds).toBeGreaterThan(0);

    // The architectures took part, and the C baseline did unless the machine has no compiler,
    // which the run must then say.
    const servers = new Set(loaded.cases.map((c) => c.case.server));
    for (const s of ['conn-per-socket', 'single-loop']) expect(servers).toContain(s);
    if (!servers.has('baseline-c')) expect(info.notes.join('\n')).toMatch(/baseline skipped: no C compiler/);
    expect(loaded.env?.cores).toBeGreaterThan(0);
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary.split('\n').filter((l) => l.startsWith('## ')).length).toBeGreaterThanOrEqual(5);
    // The six http cases, each with its own section, and autocannon beside c1m in case 2.
    for (const n of [1, 2, 3, 4, 5, 6]) expect(summary).toContain(`## HTTP case ${n} `);
    const reference = loaded.cases.find((c) => c.case.key === 'http-static single-loop http')?.reference;
    expect(reference?.error).toBeUndefined();
    expect(reference?.requestsPerSecond).toBeGreaterThan(0);
    expect(reference?.driverToReferenceRequestsRatio).toBeGreaterThan(0);
    expect(summary).toMatch(/\| single-loop \/ http \| [\d,]+ \| [\d,]+ \| [\d.]+× \|/);
    // The metal of case 2: the C server's --http mode passed the driver's checks, and each server's
    // c1m req/s is shown as a ratio to it (the column after the p99 ratio).
    if (servers.has('baseline-c')) {
      expect(loaded.cases.find((c) => c.case.key === 'http-static baseline-c http')?.status).toBe('passed');
      expect(summary).toMatch(
        /\| single-loop \/ http \| [\d,]+ \| [\d,]+ \| [\d.]+× \| [\d,]+ \| [\d,]+ \| [\d.]+× \| [\d.]+× \|/,
      );
    }

    const browser = await launchChromium();
    try {
      const { page, consoleErrors, pageErrors, outsideRequests } = await openReport(browser, join(dir, 'report.html'));
      // Every canvas in the page got its chart drawn.
      const canvases = (readFileSync(join(dir, 'report.html'), 'utf8').match(/<canvas /g) ?? []).length;
      expect(canvases).toBeGreaterThanOrEqual(5);
      expect(await page.getAttribute('body', 'data-charts-drawn')).toBe(String(canvases));
      expect([...consoleErrors, ...pageErrors, ...outsideRequests]).toEqual([]);
      const drawn = await drawnCharts(page);
      const echo = loaded.cases.find((c) => c.case.key === 'echo-100 single-loop ws')!;
      const chart = drawn['chart-throughput']!;
      const series = chart.datasets.find((d) => d.label === 'echo-100')!;
      // The figure the load generator itself wrote for that case.
      expect(series.data[chart.labels.indexOf('single-loop / ws')]).toBeCloseTo(echo.driver!.messagesPerSecond, 6);
    } finally {
      await browser.close();
    }
  });
});
