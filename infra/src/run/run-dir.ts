// The results/<run-id>/ directory of a run: env.json once, run.json after every case (so an
// interrupted run is still readable), one JSON per case, and the summary and report at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseResult, RunEnv, RunInfo } from '../model/case-result.ts';
import { loadRun } from '../model/load-run.ts';
import { renderReportHtml } from '../report/html.ts';
import { renderSummaryMarkdown } from '../report/summary-md.ts';

/** A run id from the start time: 20250101-120000-quick. */
export function newRunId(profile: string, now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${iso}-${profile}`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class RunDir {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'cases'), { recursive: true });
    mkdirSync(join(dir, 'driver'), { recursive: true });
  }

  writeEnv(env: RunEnv): void {
    writeFileSync(join(this.dir, 'env.json'), json(env));
  }

  writeRun(run: RunInfo): void {
    writeFileSync(join(this.dir, 'run.json'), json(run));
  }

  /** Writes a case result; returns its path relative to the run directory. */
  writeCase(result: CaseResult): string {
    const file = `cases/${result.case.id}.json`;
    writeFileSync(join(this.dir, file), json(result));
    return file;
  }

  /** Renders summary.md and report.html from what is on disk. */
  writeReports(): { summary: string; report: string } {
    const loaded = loadRun(this.dir);
    const summary = join(this.dir, 'summary.md');
    const report = join(this.dir, 'report.html');
    writeFileSync(summary, renderSummaryMarkdown(loaded));
    writeFileSync(report, renderReportHtml(loaded));
    return { summary, report };
  }
}
