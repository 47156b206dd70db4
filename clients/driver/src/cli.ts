// c1m-load: parse the command line, run the scenario over forked shards (or one slice of it,
// --shard-index), print the summary, write --json (- = stdout), and exit 0 (passed), 1 (failed
// its own checks) or 2 (bad arguments). `c1m-load merge …` merges slices' results instead.
import { writeFileSync } from 'node:fs';
import { runCli } from '@c1m/cli';
import { runMergeCommand } from './coordinator/merge-command.ts';
import { helpText, parseOptions, type Scenario } from './options/options.ts';
import { runScenario, type ScenarioRunner } from './coordinator/run.ts';
import { runEcho } from './coordinator/scenarios/echo.ts';
import { runHold } from './coordinator/scenarios/hold.ts';
import { runMaxRate } from './coordinator/scenarios/max-rate.ts';
import { runShort } from './coordinator/scenarios/short.ts';
import { resolveTargetHosts, slicePlan } from './coordinator/slice-run.ts';
import { formatSummary } from './coordinator/summary.ts';

const RUNNERS: Record<Scenario, ScenarioRunner> = {
  echo: runEcho,
  hold: runHold,
  short: runShort,
  'max-rate': runMaxRate,
};

async function main(argv: string[]): Promise<number> {
  const command = [process.argv0, ...process.argv.slice(1)];
  if (argv[0] === 'merge') return runMergeCommand(argv.slice(1), command);
  const parsed = parseOptions(argv);
  if (parsed === null) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const options = parsed.slice ? await resolveTargetHosts(parsed) : parsed;
  // --json - puts the result alone on stdout (a pod's log is then collectable); the rest goes to stderr.
  const out = options.json === '-' ? process.stderr : process.stdout;
  const log = (line: string) => out.write(`${line}\n`);
  const progress = process.stderr.isTTY === true;
  const plan = options.slice ? slicePlan(options, options.slice, progress) : undefined;
  const result = await runScenario(options, RUNNERS[options.scenario], command, log, progress, plan);
  out.write(`${formatSummary(result)}\n`);
  if (options.json === '-') process.stdout.write(`${JSON.stringify(result)}\n`);
  else if (options.json !== '') writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  return result.passed ? 0 : 1;
}

runCli('c1m-load', () => main(process.argv.slice(2)));
