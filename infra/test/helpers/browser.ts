// Opens a report file in Debian's headless Chromium through playwright-core and collects what a
// reader would see go wrong: console errors, page errors, and any request that leaves the file.
import { type Browser, chromium, type Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** A loaded report page and the problems seen while loading it. */
export interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  pageErrors: string[];
  outsideRequests: string[];
}

export async function openReport(browser: Browser, file: string): Promise<OpenedReport> {
  const page = await browser.newPage();
  const opened: OpenedReport = { page, consoleErrors: [], pageErrors: [], outsideRequests: [] };
  const url = pathToFileURL(file).href;
  page.on('console', (msg) => {
    if (msg.type() === 'error') opened.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => opened.pageErrors.push(err.message));
  page.on('request', (req) => {
    if (req.url() !== url) opened.outsideRequests.push(req.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}

/** Labels and dataset values of one drawn chart. */
export interface DrawnChart {
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
}

/**
 * The labels and dataset values of every chart on the page, by canvas id, read back from
 * Chart.js itself (the expression runs in the page, hence a string: infra has no DOM typings).
 */
export async function drawnCharts(page: Page): Promise<Record<string, DrawnChart>> {
  return page.evaluate(
    `(() => {
    const out = {};
    for (const canvas of document.querySelectorAll('canvas')) {
      const chart = Chart.getChart(canvas);
      if (chart) out[canvas.id] = { labels: [...chart.data.labels], datasets: chart.data.datasets.map((d) => ({ ` +
      `label: d.label, data: [...d.data] })) };
    }
    return out;
  })()`,
  );
}
