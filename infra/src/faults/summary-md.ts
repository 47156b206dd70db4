// summary.md of a `pnpm test:faults` run: what each fault case did, in figures, and the soak's
// memory and descriptor check per server, drawn from faults.json alone.
import type { EnvInfo } from '@c1m/schema';
import type { FaultFigures } from '@c1m/server-contract/conformance';

/** What `pnpm test:faults` writes to faults.json. */
export interface FaultsRun {
  tool: 'c1m-test-faults';
  runId: string;
  env: EnvInfo;
  passed: boolean;
  /** The vitest run's exit code (null when it was stopped at the time limit). */
  vitestExitCode: number | null;
  tests: { passed: number; failed: number; skipped: number } | null;
  wallSeconds: number;
  soakSeconds: number;
  cases: FaultFigures[];
}

const MIB = 1024 * 1024;
const mib = (n: unknown) => `${(Number(n) / MIB).toFixed(1)} MiB`;
const int = (n: unknown) => Math.round(Number(n)).toLocaleString('en-US');

function figureList(f: FaultFigures['figures']): string {
  return Object.entries(f)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? int(v) : String(v)}`)
    .join(', ');
}

/** The markdown summary of a faults run. */
export function renderFaultsSummary(run: FaultsRun): string {
  const { env } = run;
  const soaks = run.cases.filter((c) => c.case.startsWith('soak '));
  const others = run.cases.filter((c) => !c.case.startsWith('soak '));
  const lines = [
    `# Fault tests ${run.runId}`,
    '',
    `${run.passed ? 'PASSED' : 'FAILED'}: ${
      run.tests
        ? `${run.tests.passed} tests passed, ${run.tests.failed} failed, ${run.tests.skipped} skipped`
        : 'the test run did not finish'
    } in ${run.wallSeconds.toFixed(0)} s.`,
    '',
    `Node ${env.node}, ${env.kernel}, ${env.cores} cores ` +
      `(${env.cpuModel}), ${(env.memoryBytes / 1024 ** 3).toFixed(1)} GiB, commit ${env.gitCommit}.`,
    '',
    '## Faults',
    '',
    '| case | subject | what the product did | figures |',
    '|---|---|---|---|',
    ...others.map((c) => `| ${c.case} | ${c.subject} | ${c.outcome} | ${figureList(c.figures)} |`),
    '',
    `## Soak (${run.soakSeconds} s of connect → 5 round trips → RST close per server, after warm-up)`,
    '',
    'Warm-up runs until a run of cycles grows the RSS by under 2 MiB. RSS margin: 25% of the post-warm-up ' +
      'baseline or 16 MiB, whichever is more; descriptors: +2.',
    '',
    '| server | warm-up connections | connections cycled | RSS after warm-up → end (growth, margin) | ' +
      'descriptors after warm-up → end | verdict |',
    '|---|---:|---:|---|---|---|',
    ...soaks.map((c) => {
      const f = c.figures;
      return (
        `| ${c.case.slice('soak '.length)} | ${int(f.warmupConnections)} | ${int(f.connectionsCycled)} ` +
        `| ${mib(f.baselineRssBytes)} → ${mib(f.endRssBytes)} ` +
        `(${mib(f.rssGrowthBytes)}, ${mib(f.rssMarginBytes)}) | ${int(f.baselineFds)} → ${int(f.endFds)} ` +
        `| ${c.outcome} |`
      );
    }),
    '',
  ];
  return lines.join('\n');
}
