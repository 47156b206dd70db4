// CLI `pnpm compare <a> <b>`: B against A per case and metric, with the noise rule. A side is a
// run directory or run id under results/, or a comma-separated list of runs made alternately.
// Exit 0, or 1 with --fail-on-regression when a flagged change is a regression, 2 on bad
// arguments, 3 when the environments differ and --force was not given.
import { type FlagTable, formatHelp, parseFlags, UsageError, runCli } from '@c1m/cli';
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { compareRuns } from './compare/compare-runs.ts';
import { renderComparison } from './compare/markdown.ts';
import { resultsRoot } from './lib/paths.ts';
import { loadRun } from './model/load-run.ts';

interface CompareOptions {
  json: boolean;
  failOnRegression: boolean;
  force: boolean;
}

const FLAGS: FlagTable<CompareOptions> = {
  json: { flag: 'json', kind: 'boolean', default: false, help: 'Print the comparison as JSON instead of markdown' },
  failOnRegression: {
    flag: 'fail-on-regression',
    kind: 'boolean',
    default: false,
    help: 'Exit 1 when a flagged change is a regression',
  },
  force: {
    flag: 'force',
    kind: 'boolean',
    default: false,
    help: 'Compare even when CPU model, cores or Node major differ',
  },
};

const USAGE = 'pnpm compare <a> <b> [--json] [--fail-on-regression] [--force]';

function resolveRun(spec: string): string {
  const candidates = isAbsolute(spec) ? [spec] : [resolve(spec), join(resultsRoot, spec)];
  const found = candidates.find((c) => existsSync(join(c, 'run.json')));
  if (!found) throw new UsageError(`${spec}: no bench:all run there (looked for run.json in ${candidates.join(', ')})`);
  return found;
}

runCli('compare', async () => {
  const { options, positionals, help } = parseFlags(FLAGS, process.argv.slice(2), true);
  if (help) {
    process.stdout.write(
      `${formatHelp(USAGE, 'Compares two bench:all runs (or lists of runs) case by case.', FLAGS)}\n`,
    );
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError(`expected two runs, got ${positionals.length}. usage: ${USAGE}`);
  const sides = positionals.map((p) =>
    p
      .split(',')
      .filter(Boolean)
      .map((s) => loadRun(resolveRun(s))),
  );
  const comparison = compareRuns(sides[0]!, sides[1]!);
  if (comparison.envDifferences.length > 0 && !options.force) {
    process.stderr.write(
      `refusing to compare: the environments differ — ${comparison.envDifferences.join('; ')}. Pass --force to ` +
        `compare anyway.\n`,
    );
    return 3;
  }
  process.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparison(comparison));
  return options.failOnRegression && comparison.regressions > 0 ? 1 : 0;
});
