// `c1m-load merge FILES|DIRS… [--json out.json]`: merges the slices of one run spread over machines
// and prints the same summary a local run prints, with each slice's own figures beside the total.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatHelp, parseFlags, UsageError, type FlagTable } from '@c1m/cli';
import type { DriverResult, MergeSection } from '@c1m/schema';
import { mergeSlices, readSliceFile } from './merge-slices.ts';
import { formatSummary } from './summary.ts';

interface MergeFlags {
  json: string;
}

const TABLE: FlagTable<MergeFlags> = {
  json: {
    flag: 'json',
    kind: 'string',
    help:
      'Write the merged DriverResult here (- = stdout, the summary then goes to stderr); default ' +
      'DIR/merged.json when one directory is given',
    default: '',
  },
};

/** The file merge writes into a results directory (and skips when reading it). */
export const MERGED_FILE = 'merged.json';

/** Result files named on the command line; a directory stands for its *.json and *.log files. */
export function expandInputs(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => /\.(json|log)$/.test(name) && name !== MERGED_FILE)
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** The per-slice lines printed under a merged summary. */
export function formatSlices(merge: MergeSection): string {
  const hosts = new Set(merge.perShard.map((s) => s.hostname)).size;
  const lines = [
    `slices       ${merge.perShard.length} merged from ${hosts} host${hosts === 1 ? '' : 's'}, start offsets ` +
      `spread ${merge.startOffsetSpreadMs} ms`,
  ];
  for (const s of merge.perShard) {
    lines.push(
      `  slice ${s.index} on ${s.hostname}: ${int(s.established)} established, ${int(s.sent)} ` +
        `sent, ${int(s.received)} received, ${int(s.missing)} missing, ${int(s.messagesPerSecond)} msgs/s, ` +
        `p99 ${int(s.latencyP99Us)} µs, started +${s.startOffsetMs} ms, ${s.passed ? 'passed' : 'FAILED'}`,
    );
  }
  return lines.join('\n');
}

/** Runs the merge command; returns the exit code (0 passed, 1 the merged run failed its checks). */
export function runMergeCommand(argv: readonly string[], command: string[]): number {
  const { options, positionals, help } = parseFlags(TABLE, argv, true);
  if (help) {
    process.stdout.write(
      `${formatHelp(
        'Usage: c1m-load merge FILES|DIRS… [--json out.json]',
        'Merges the result files (or pod logs) of every slice of one run: counts and histograms added exactly.',
        TABLE,
      )}\n`,
    );
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("C1M_MERGE_NO_FILES: give the slices' result files or a directory holding them");
  let files: string[];
  try {
    files = expandInputs(positionals);
  } catch (err) {
    throw new UsageError(`C1M_MERGE_NO_FILES: ${(err as Error).message}`);
  }
  const result: DriverResult = mergeSlices(files.map(readSliceFile), command);
  const oneDir = positionals.length === 1 && statSync(positionals[0]!).isDirectory();
  const jsonPath = options.json !== '' ? options.json : oneDir ? join(positionals[0]!, MERGED_FILE) : '';
  const summary = `${formatSummary(result)}\n${formatSlices(result.merge!)}\n`;
  if (jsonPath === '-') {
    process.stderr.write(summary);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    process.stdout.write(summary);
    if (jsonPath !== '') writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  }
  return result.passed ? 0 : 1;
}
