// c1m-load: parse the command line, run the scenario over forked shards, print the summary,
// write --json, and exit 0 (passed), 1 (failed its own checks) or 2 (bad arguments).
import { writeFileSync } from 'node:fs';
import { runCli } from '@c1m/cli';
import { helpText, parseOptions, type Scenario } from './options/options.ts';
import { runScenario, type ScenarioRunner } from './coordinator/run.ts';
import { runEcho } from './coordinator/scenarios/echo.ts';
import { runHold } from './coordinator/scenarios/hold.ts';
import { runMaxRate } from './coordinator/scenarios/max-rate.ts';
import { runShort } from './coordinator/scenarios/short.ts';
import { formatSummary } from './coordinator/summary.ts';

const RUNNERS: Record<Scenario, ScenarioRunner> = { echo: runEcho, hold: runHold, short: runShort, 'max-rate': runMaxRate };

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === null) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  const command = [process.argv0, ...process.argv.slice(1)];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const result = await runScenario(options, RUNNERS[options.scenario], command, log, process.stderr.isTTY === true);
  process.stdout.write(`${formatSummary(result)}\n`);
  if (options.json !== '') writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
  return result.passed ? 0 : 1;
}

runCli('c1m-load', () => main(process.argv.slice(2)));
