// CLI `pnpm tune`: checks RLIMIT_NOFILE and the connection-shaping sysctls against a target
// connection count; --apply raises what it can (saving the old values), --restore puts them back.
import { type FlagTable, formatHelp, parseFlags, UsageError, runCli } from '@c1m/cli';
import { tuneSavedFile } from './lib/paths.ts';
import { applyRows, renderOutcomes, restoreSaved } from './tune/apply.ts';
import { assess } from './tune/assess.ts';
import { readMachine } from './tune/machine.ts';
import { renderAssessment } from './tune/render.ts';

interface TuneOptions {
  connections: number;
  apply: boolean;
  restore: boolean;
  json: boolean;
}

const FLAGS: FlagTable<TuneOptions> = {
  connections: {
    flag: 'connections',
    kind: 'int',
    min: 1,
    default: 1_000_000,
    help: 'Target concurrent connections, both ends on this machine',
  },
  apply: {
    flag: 'apply',
    kind: 'boolean',
    default: false,
    help: 'Write the sysctls that need raising (root); saves the previous values',
  },
  restore: { flag: 'restore', kind: 'boolean', default: false, help: 'Write back the values saved by --apply' },
  json: { flag: 'json', kind: 'boolean', default: false, help: 'Print the assessment as JSON' },
};

runCli('tune', async () => {
  const { options, help } = parseFlags(FLAGS, process.argv.slice(2));
  if (help) {
    process.stdout.write(
      `${formatHelp(
        'pnpm tune [--connections N] [--apply | --restore] [--json]',
        'Checks and raises the limits that bound concurrent connections.',
        FLAGS,
      )}\n`,
    );
    return 0;
  }
  if (options.apply && options.restore)
    throw new UsageError(
      '--apply and --restore exclude each other: give one of them, or neither for a dry run',
      'C1M_EXCLUSIVE_FLAGS',
    );

  if (options.restore) {
    const outcomes = restoreSaved(tuneSavedFile);
    if (!outcomes) {
      process.stdout.write(`nothing to restore: ${tuneSavedFile} does not exist\n`);
      return 0;
    }
    process.stdout.write(`restored from ${tuneSavedFile}:\n${renderOutcomes(outcomes)}\n`);
    return outcomes.every((o) => o.ok) ? 0 : 1;
  }

  const assessment = assess(readMachine(), options.connections);
  if (options.json && !options.apply) {
    process.stdout.write(`${JSON.stringify(assessment, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(renderAssessment(assessment));
  if (!options.apply) return 0;

  const outcomes = applyRows(assessment.rows, tuneSavedFile);
  if (outcomes.length === 0) {
    process.stdout.write('\n--apply: no sysctl needed raising\n');
    return 0;
  }
  process.stdout.write(`\n--apply wrote (previous values in ${tuneSavedFile}):\n${renderOutcomes(outcomes)}\n`);
  process.stdout.write('\nAfter the change:\n');
  process.stdout.write(renderAssessment(assess(readMachine(), options.connections)));
  return outcomes.every((o) => o.ok) ? 0 : 1;
});
