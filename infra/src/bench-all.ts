// CLI `pnpm bench:all`: every server × transport × scenario, one case at a time, with the C
// baseline interleaved; results/<run-id>/ with one JSON per case, env.json, summary.md and
// report.html. Exit 0 when every case passed, 1 when one failed (the matrix still runs to the
// end), 2 on bad arguments, 130 when interrupted (children stopped, partial results written).
import { type FlagTable, formatHelp, parseFlags, UsageError, runCli } from '@c1m/cli';
import { captureEnv } from '@c1m/results';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildBaseline } from './baseline/build.ts';
import { ownNodeCommand, runInForeground } from './lib/child-command.ts';
import { parseList } from './lib/cli.ts';
import { repoRoot, resultsRoot } from './lib/paths.ts';
import { detectLimits, limitsRecord } from './matrix/limits.ts';
import { planMatrix } from './matrix/plan.ts';
import { PROFILES } from './matrix/profiles.ts';
import { discoverServers } from './matrix/servers.ts';
import { BASELINE_SERVER, type RunInfo, SCENARIOS, type ScenarioId } from './model/case-result.ts';
import { HTTP_SCENARIOS } from './model/http-scenarios.ts';
import { formatDuration } from './report/format.ts';
import { runCase } from './run/case.ts';
import { DRIVER_CLI } from './run/driver.ts';
import { stopAll } from './run/processes.ts';
import { Progress } from './run/progress.ts';
import { newRunId, RunDir } from './run/run-dir.ts';

interface BenchOptions {
  c1m: boolean;
  quick: boolean;
  connections: number;
  only: string;
  scenarios: string;
  repeat: number;
  runId: string;
  stealThresholdPercent: number;
  dryRun: boolean;
}

const FLAGS: FlagTable<BenchOptions> = {
  c1m: {
    flag: 'c1m',
    kind: 'boolean',
    default: false,
    help:
      'Run pnpm bench:c1m (one million connections) instead of the matrix; every other flag goes to it (see ' +
      'pnpm bench:c1m --help)',
  },
  quick: {
    flag: 'quick',
    kind: 'boolean',
    default: false,
    help: 'Small counts and short durations: the whole matrix in under 3 minutes (CI)',
  },
  connections: {
    flag: 'connections',
    kind: 'int',
    min: 1,
    default: 0,
    help:
      'Hold size for every server (single-process ones capped at their descriptor limit); echo-10k runs at ' +
      'most this; 0 = sized by the profile',
  },
  only: {
    flag: 'only',
    kind: 'string',
    default: '',
    help: 'Comma-separated server dirs (and/or baseline-c) to run; default all',
  },
  scenarios: {
    flag: 'scenarios',
    kind: 'string',
    default: '',
    help:
      `Comma-separated scenarios: ${SCENARIOS.join(', ')} (echo = both echo sizes, http = the six http ` +
      `cases); default all`,
  },
  repeat: {
    flag: 'repeat',
    kind: 'int',
    min: 1,
    max: 20,
    default: 1,
    help: 'Rounds of the whole matrix (repetitions measure the noise that compare uses)',
  },
  runId: {
    flag: 'run-id',
    kind: 'string',
    default: '',
    help: 'Name of results/<run-id>/ (default: start time and profile)',
  },
  stealThresholdPercent: {
    flag: 'steal-threshold',
    kind: 'int',
    min: 1,
    max: 100,
    default: 10,
    help: 'Flag a case whose mean CPU steal reached this percent',
  },
  dryRun: { flag: 'dry-run', kind: 'boolean', default: false, help: 'Print the planned matrix and exit' },
};

const USAGE =
  'pnpm bench:all [--quick] [--connections N] [--only a,b] [--scenarios s,t] [--repeat N] [--run-id ID] ' +
  '[--dry-run]\n       pnpm bench:all --c1m [bench:c1m flags]';

function parseScenarios(text: string): ScenarioId[] | undefined {
  if (!text) return undefined;
  const items = parseList('scenarios', text, [...SCENARIOS, 'echo', 'http']);
  const expand = (s: string): ScenarioId[] =>
    s === 'echo' ? ['echo-100', 'echo-10k'] : s === 'http' ? [...HTTP_SCENARIOS] : [s as ScenarioId];
  return [...new Set(items.flatMap(expand))];
}

runCli('bench:all', async () => {
  const argv = process.argv.slice(2);
  if (argv.includes('--c1m')) {
    const c1m = join(import.meta.dirname, 'bench-c1m.ts');
    return runInForeground([...ownNodeCommand(c1m), ...argv.filter((a) => a !== '--c1m')]).exited;
  }
  const { options, positionals, help } = parseFlags(FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, 'Runs the benchmark matrix and writes results/<run-id>/.', FLAGS)}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; usage: ${USAGE}`);
  if (options.runId && !/^[\w.-]+$/.test(options.runId))
    throw new UsageError(`--run-id ${options.runId}: use letters, digits, dot, dash, underscore`);

  const servers = discoverServers(repoRoot);
  const only = options.only
    ? parseList('only', options.only, [...servers.map((s) => s.dir), BASELINE_SERVER])
    : undefined;
  const scenarios = parseScenarios(options.scenarios);
  const profile = PROFILES[options.quick ? 'quick' : 'default'];

  const baseline = await buildBaseline();
  const limits = detectLimits();
  const plan = planMatrix(servers, limits, {
    profile,
    connections: options.connections > 0 ? options.connections : undefined,
    only,
    scenarios,
    repeat: options.repeat,
    baseline: baseline.ok,
  });
  const notes = [
    `machine limits: RLIMIT_NOFILE ${limits.fdSoft}/${limits.fdHard} ` +
      `→ ${limits.perProcessConnections.toLocaleString('en-US')} connections per process; ` +
      `${(limits.memAvailableBytes / 2 ** 30).toFixed(1)} GiB ` +
      `available; ${limits.portRangeSize.toLocaleString('en-US')} ephemeral ports per source ` +
      `address; ${limits.cores} cores`,
    ...plan.notes,
  ];
  if (!baseline.ok) notes.unshift(`baseline skipped: ${baseline.reason}`);
  const runId = options.runId || newRunId(profile.name);
  process.stderr.write(`bench:all ${profile.name}: ${plan.cases.length} cases → results/${runId}/\n`);
  for (const n of notes) process.stderr.write(`  note: ${n}\n`);
  if (options.dryRun) {
    for (const c of plan.cases)
      process.stdout.write(
        `${c.id}  connections=${c.connections}${c.workers ? ` workers=${c.workers}` : ''}${
          c.caps.length ? `  [${c.caps.join('; ')}]` : ''
        }\n`,
      );
    return 0;
  }
  if (plan.cases.length === 0)
    throw new UsageError('nothing to run: the filters left no case (or no server is built: run pnpm build)');
  if (plan.cases.some((c) => c.scenario !== 'c-pair') && !existsSync(DRIVER_CLI)) {
    throw new Error(`the load generator is not built (${DRIVER_CLI} missing): run pnpm build`);
  }

  const dir = new RunDir(join(resultsRoot, runId));
  dir.writeEnv({
    ...captureEnv(),
    limits: limitsRecord(limits),
  });
  const run: RunInfo = {
    schemaVersion: 1,
    runId,
    profile: profile.name,
    argv: process.argv.slice(2),
    startedAt: new Date().toISOString(),
    repeat: options.repeat,
    notes,
    cases: plan.cases.map((c) => ({ id: c.id, key: c.key, status: 'pending', file: `cases/${c.id}.json` })),
  };
  dir.writeRun(run);

  // Ctrl-C: stop every child we started (the case in flight then ends quickly), write what ran.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      void stopAll(0).then(() => process.exit(130));
      return;
    }
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the case in flight and every process this run started…\n`);
    void stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const progress = new Progress(plan.cases, profile);
  const serverPorts = new Set<number>();
  let failed = 0;
  for (let i = 0; i < plan.cases.length && !interrupted; i++) {
    progress.begin(i);
    const result = await runCase(plan.cases[i]!, {
      runId,
      runDir: dir.dir,
      profile,
      baseline: baseline.ok ? baseline : undefined,
      stealThresholdPercent: options.stealThresholdPercent,
      serverPorts,
    });
    if (interrupted) result.failures.push('interrupted');
    if (interrupted) result.status = 'failed';
    dir.writeCase(result);
    run.cases[i]!.status = result.status;
    if (result.status === 'failed') failed++;
    progress.end(i, result);
    dir.writeRun(run);
  }
  run.finishedAt = new Date().toISOString();
  run.wallSeconds = Math.round(progress.elapsedSeconds() * 10) / 10;
  run.interrupted = interrupted || undefined;
  dir.writeRun(run);
  const { summary, report } = dir.writeReports();
  process.stderr.write(
    `\nbench:all ${interrupted ? 'interrupted' : 'done'} in ${formatDuration(run.wallSeconds)}: ` +
      `${run.cases.filter((c) => c.status === 'passed').length} passed, ${failed} failed\n  ${summary}\n  ${report}\n`,
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return interrupted ? 130 : failed > 0 ? 1 : 0;
});
