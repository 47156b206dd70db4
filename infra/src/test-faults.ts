// CLI `pnpm test:faults`: the fault cases of the e2e project — kill-shard, kill-worker,
// kill-child, the soak against every server and style, and the conformance suite's slow reader on
// every server — run with their figures collected, under a 10-minute limit, into
// results/<run-id>/: env.json, faults.json (figures + environment), summary.md, vitest.log.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FlagTable, formatHelp, parseFlags, runCli } from '@c1m/cli';
import { captureEnv } from '@c1m/results';
import { FIGURES_FILE_ENV, readFigures } from '@c1m/server-contract/conformance';
import { renderFaultsSummary, type FaultsRun } from './faults/summary-md.ts';
import { repoRoot, resultsRoot } from './lib/paths.ts';
import { newRunId } from './run/run-dir.ts';

interface FaultsOptions {
  soakSeconds: number;
  limitSeconds: number;
}

const FLAGS: FlagTable<FaultsOptions> = {
  soakSeconds: {
    flag: 'soak-seconds',
    kind: 'int',
    min: 1,
    max: 3600,
    default: 10,
    help:
      'Cycling time of each soak after its warm-up (9 soaks: every server and style); the default keeps the ' +
      'run under 10 minutes',
  },
  limitSeconds: {
    flag: 'limit',
    kind: 'int',
    min: 60,
    max: 24 * 3600,
    default: 600,
    help: 'Stop the run (and record it unfinished) after this long',
  },
};

/** vitest file filters (path substrings) of the fault cases. */
export const FAULT_TEST_FILTERS = ['infra/test/e2e/faults/', 'clients/driver/test/e2e/kill-shard'];

/** The conformance suite's slow-reader test, by name (vitest -t). */
const SLOW_READER_TEST = 'closes a reader that stopped reading';

runCli('test:faults', async () => {
  const { options, help } = parseFlags(FLAGS, process.argv.slice(2));
  if (help) {
    process.stdout.write(
      `${formatHelp(
        'pnpm test:faults [--soak-seconds N]',
        'Runs the fault cases and writes their figures to results/<run-id>/.',
        FLAGS,
      )}\n`,
    );
    return 0;
  }
  const runId = newRunId('faults');
  const dir = join(resultsRoot, runId);
  mkdirSync(dir, { recursive: true });
  const env = captureEnv();
  writeFileSync(join(dir, 'env.json'), `${JSON.stringify(env, null, 2)}\n`);
  const figuresFile = join(dir, 'fault-figures.jsonl');
  const log = createWriteStream(join(dir, 'vitest.log'));
  const started = performance.now();
  process.stdout.write(
    `test:faults ${runId}: soaks of ${options.soakSeconds} s, at most ${options.limitSeconds} s in all\n`,
  );

  const vitestEnv = {
    ...process.env,
    [FIGURES_FILE_ENV]: figuresFile,
    C1M_SOAK_SECONDS: String(options.soakSeconds),
    C1M_SOAK_ALL_STYLES: '1',
  };
  const deadline = Date.now() + options.limitSeconds * 1000;
  /** One vitest run of the e2e project, its output teed to the terminal and vitest.log. */
  const runVitest = async (args: string[]) => {
    const vitest = spawn(join(repoRoot, 'node_modules', '.bin', 'vitest'), ['run', '--project', 'e2e', ...args], {
      cwd: repoRoot,
      env: vitestEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [vitest.stdout, vitest.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        log.write(chunk);
        process.stdout.write(chunk);
      });
    }
    const limit = setTimeout(() => vitest.kill('SIGTERM'), Math.max(0, deadline - Date.now()));
    const code = await new Promise<number | null>((resolve) => vitest.on('close', (c) => resolve(c)));
    clearTimeout(limit);
    const counts = /tests: (\d+) passed, (\d+) failed, (\d+) skipped/.exec(output);
    return {
      code,
      counts: counts ? { passed: Number(counts[1]), failed: Number(counts[2]), skipped: Number(counts[3]) } : null,
    };
  };
  const faults = await runVitest(FAULT_TEST_FILTERS);
  // The slow reader is part of every server's conformance suite: run just that test of each.
  const slow = await runVitest(['servers/', '-t', SLOW_READER_TEST]);
  log.end();
  const code = faults.code !== 0 ? faults.code : slow.code;
  const tests =
    faults.counts && slow.counts
      ? {
          passed: faults.counts.passed + slow.counts.passed,
          failed: faults.counts.failed + slow.counts.failed,
          skipped: faults.counts.skipped + slow.counts.skipped,
        }
      : null;
  const run: FaultsRun = {
    tool: 'c1m-test-faults',
    runId,
    env,
    passed: code === 0 && tests !== null && tests.failed === 0,
    vitestExitCode: code,
    tests,
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    soakSeconds: options.soakSeconds,
    cases: readFigures(figuresFile),
  };
  writeFileSync(join(dir, 'faults.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(dir, 'summary.md'), renderFaultsSummary(run));
  process.stdout.write(`\n${run.passed ? 'PASSED' : 'FAILED'}: ${join(dir, 'summary.md')}\n`);
  return run.passed ? 0 : 1;
});
