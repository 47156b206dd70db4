// CLI `pnpm tune`: checks RLIMIT_NOFILE and the connection-shaping sysctls against a target
// connection count; --apply raises what it can (saving the old values), --restore puts them back.
import { helpText, parseCount, parseFlags, runCli, UsageError } from './lib/cli.ts';
import { tuneSavedFile } from './lib/paths.ts';
import { applyRows, renderOutcomes, restoreSaved } from './tune/apply.ts';
import { assess } from './tune/assess.ts';
import { readMachine } from './tune/machine.ts';
import { renderAssessment } from './tune/render.ts';

const FLAGS = {
  connections: { type: 'string', valueName: 'N', description: 'target concurrent connections, both ends on this machine (default 1m)' },
  apply: { type: 'boolean', description: 'write the sysctls that need raising (root); saves the previous values' },
  restore: { type: 'boolean', description: 'write back the values saved by --apply' },
  json: { type: 'boolean', description: 'print the assessment as JSON' },
  help: { type: 'boolean', description: 'show this help' },
} as const;

runCli(async () => {
  const { values, positionals } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    process.stdout.write(helpText('pnpm tune [--connections N] [--apply | --restore] [--json]', FLAGS));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; tune takes only flags`);
  if (values.apply && values.restore) throw new UsageError('--apply and --restore exclude each other');

  if (values.restore) {
    const outcomes = restoreSaved(tuneSavedFile);
    if (!outcomes) {
      process.stdout.write(`nothing to restore: ${tuneSavedFile} does not exist\n`);
      return 0;
    }
    process.stdout.write(`restored from ${tuneSavedFile}:\n${renderOutcomes(outcomes)}\n`);
    return outcomes.every((o) => o.ok) ? 0 : 1;
  }

  const connections = values.connections ? parseCount('connections', values.connections) : 1_000_000;
  const assessment = assess(readMachine(), connections);
  if (values.json && !values.apply) {
    process.stdout.write(`${JSON.stringify(assessment, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(renderAssessment(assessment));
  if (!values.apply) return 0;

  const outcomes = applyRows(assessment.rows, tuneSavedFile);
  if (outcomes.length === 0) {
    process.stdout.write('\n--apply: no sysctl needed raising\n');
    return 0;
  }
  process.stdout.write(`\n--apply wrote (previous values in ${tuneSavedFile}):\n${renderOutcomes(outcomes)}\n`);
  process.stdout.write('\nAfter the change:\n');
  process.stdout.write(renderAssessment(assess(readMachine(), connections)));
  return outcomes.every((o) => o.ok) ? 0 : 1;
});
