// The flags of bench/driver.bench.ts, as one table: parsed, bounded and explained like the driver's
// own (a bad value exits 2 naming it and what is valid; the `--` pnpm forwards before them is dropped).
import { type FlagTable, formatHelp, parseFlags } from '@c1m/cli';

export interface BenchFlags {
  rounds: number;
  durationSeconds: number;
  idle: number;
  pin: 'split' | 'none';
  compareCli: string;
}

export const BENCH_FLAGS: FlagTable<BenchFlags> = {
  rounds: { flag: 'rounds', kind: 'int', min: 1, default: 3, help: 'Interleaved rounds of C client and driver' },
  durationSeconds: {
    flag: 'duration',
    kind: 'int',
    min: 1,
    default: 5,
    help: 'Seconds each closed-loop run measures',
  },
  idle: {
    flag: 'idle',
    kind: 'int',
    min: 0,
    default: 100_000,
    help: 'Idle connections held for the memory figure (0 skips it; 18,000 in one shard is always measured)',
  },
  pin: {
    flag: 'pin',
    kind: 'choice',
    choices: ['split', 'none'],
    default: 'split',
    help: 'split: server and clients on CPUs of their own (taskset); none: wherever the scheduler puts them',
  },
  compareCli: {
    flag: 'compare-cli',
    kind: 'string',
    default: '',
    help: "Another build's dist/cli.js (e.g. the commit before a change): its closed loop runs in every round too",
  },
};

export const BENCH_USAGE = 'pnpm --filter @c1m/driver bench [--rounds 3] [--duration 5] [--idle 100000] [--pin split]';

/** The bench's options, or undefined after printing --help; throws UsageError on a bad flag. */
export function parseBenchFlags(argv: readonly string[]): BenchFlags | undefined {
  const { options, help } = parseFlags(BENCH_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(BENCH_USAGE, 'The driver against the C client, interleaved.', BENCH_FLAGS)}\n`);
    return undefined;
  }
  return options;
}
