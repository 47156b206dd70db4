// Prints one closing line "tests: N passed, N failed, N skipped" that CI reads, whatever
// vitest's own summary looks like. A failure outside any test — a beforeAll/afterAll hook that
// threw (Chromium not launching), a file that failed to load — counts as one failed entry for
// its file or suite: the tests a failed beforeAll skipped must not make the run look clean.
import type { Reporter, TestModule } from 'vitest/node';

/** Counts of one run, as the closing line prints them. */
export interface PlainCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts tests by state, plus one failure per file or suite with errors outside its tests. */
export function countModules(testModules: ReadonlyArray<TestModule>): PlainCounts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const mod of testModules) {
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') counts.passed++;
      else if (state === 'failed') counts.failed++;
      else counts.skipped++;
    }
    if (mod.errors().length > 0 || (mod.state() === 'failed' && mod.children.size === 0)) counts.failed++;
    for (const suite of mod.children.allSuites()) if (suite.errors().length > 0) counts.failed++;
  }
  return counts;
}

export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const { passed, failed, skipped } = countModules(testModules);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
