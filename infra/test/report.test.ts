// report.html in headless Chromium: it renders offline, logs no errors, its charts carry the
// run's numbers, and text from result files cannot inject markup.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRun } from '../src/model/load-run.ts';
import { escapeHtml, jsonForScript } from '../src/report/escape.ts';
import { renderReportHtml } from '../src/report/html.ts';
import { drawnCharts, launchChromium, openReport } from './helpers/browser.ts';
import { at, writeFixtureRun } from './helpers/fixture-run.ts';

const EVIL = '<img src=x onerror="document.title=\'pwned\'">';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function fixtureReport(): { file: string; dir: string } {
  const dir = writeFixtureRun([
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
    {
      scenario: 'echo-100',
      server: 'baseline-c',
      startedAt: at(20),
      messagesPerSecond: 210_000,
      latenciesUs: [50, 60, 70, 80, 400],
    },
    {
      scenario: 'echo-100',
      server: 'single-loop',
      transport: 'ws',
      startedAt: at(30),
      messagesPerSecond: 123_456,
      latenciesUs: [300, 400, 500, 600, 9000],
    },
    {
      scenario: 'echo-100',
      server: EVIL,
      transport: 'tcp',
      startedAt: at(40),
      messagesPerSecond: 77_000,
      failed: `</script>${EVIL}`,
    },
    {
      scenario: 'echo-10k',
      server: 'prefork',
      transport: 'ws',
      startedAt: at(50),
      connections: 10_000,
      messagesPerSecond: 98_765,
    },
    {
      scenario: 'short',
      server: 'conn-per-socket',
      transport: 'tcp',
      startedAt: at(60),
      shortLoopSeconds: [0.125, 0.25, 0.375],
    },
  ]);
  const file = join(dir, 'report.html');
  writeFileSync(file, renderReportHtml(loadRun(dir)));
  return { file, dir };
}

/** The charts the fixture run has data for, in page order. */
const CHART_IDS = [
  'throughput',
  'p99',
  'cpu-per-message',
  'latency-curve-echo-100',
  'latency-curve-echo-10k',
  'memory-per-connection',
  'connections-held',
  'short-loops',
];

describe('report.html', () => {
  it('renders from disk with no console errors, no requests and every chart drawn', async () => {
    const { file } = fixtureReport();
    const { page, consoleErrors, pageErrors, outsideRequests } = await openReport(browser, file);
    try {
      expect(await page.getAttribute('body', 'data-charts-drawn')).toBe(String(CHART_IDS.length));
      expect(consoleErrors).toEqual([]);
      expect(pageErrors).toEqual([]);
      expect(outsideRequests).toEqual([]);

      const drawn = await drawnCharts(page);
      expect(Object.keys(drawn).sort()).toEqual(CHART_IDS.map((id) => `chart-${id}`).sort());
      // The run's own numbers, as the fixture wrote them (p99 9000 µs is 9007 in a 3-digit HdrHistogram).
      expect(drawn['chart-p99']!.datasets.find((d) => d.label === 'echo-100')!.data.slice(0, 2)).toEqual([400, 9007]);
      expect(drawn['chart-connections-held']!.datasets[0]!.data).toEqual([19_000, 19_000]);
      const throughput = drawn['chart-throughput']!;
      const echo = throughput.datasets.find((d) => d.label === 'echo-100')!;
      expect(echo.data[throughput.labels.indexOf('single-loop / ws')]).toBe(123_456);
      expect(echo.data[throughput.labels.indexOf('baseline-c / tcp')]).toBe(210_000);
      const tenK = throughput.datasets.find((d) => d.label === 'echo-10k')!;
      expect(tenK.data[throughput.labels.indexOf('prefork / ws')]).toBe(98_765);
      const memory = drawn['chart-memory-per-connection']!;
      expect(memory.datasets[0]!.data[memory.labels.indexOf('single-loop / ws')]).toBe(900);
      const curve = drawn['chart-latency-curve-echo-100']!;
      const single = curve.datasets.find((d) => d.label === 'single-loop / ws')!;
      expect(single.data[curve.labels.indexOf('p50')]).toBeGreaterThanOrEqual(499);
      expect(single.data[curve.labels.indexOf('p50')]).toBeLessThanOrEqual(501);
      expect(single.data[curve.labels.indexOf('max')]).toBeGreaterThanOrEqual(8995);
      expect(drawn['chart-short-loops']!.datasets[0]!.data).toEqual([0.125, 0.25, 0.375]);
    } finally {
      await page.close();
    }
  });

  it('shows markup from result files as text', async () => {
    const { file } = fixtureReport();
    const { page, pageErrors } = await openReport(browser, file);
    try {
      expect(await page.title()).not.toBe('pwned');
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('body').innerText()).toContain(EVIL);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('escapes HTML and keeps JSON islands inside their script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const island = jsonForScript({ s: '</script><b>&' });
    expect(island).not.toContain('<');
    expect(JSON.parse(island)).toEqual({ s: '</script><b>&' });
  });
});
