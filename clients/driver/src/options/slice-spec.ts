// Which slice of a run spread over machines this process runs: --shard-index I of --shard-count K,
// starting at --start-at. A pod of a Kubernetes Indexed Job gets I from JOB_COMPLETION_INDEX and
// K and the start time from its manifest's env, so the same image runs every slice unchanged.
import { UsageError } from '@c1m/cli';

/** The environment variables a slice's flags default to (the Job manifest sets them). */
export const SHARD_ENV = {
  /** Set by Kubernetes on every pod of an Indexed Job (completionMode: Indexed). */
  index: 'JOB_COMPLETION_INDEX',
  /** The Job's completions, repeated in its env (a pod cannot read its own Job's spec). */
  count: 'C1M_SHARD_COUNT',
  /** The shared start barrier, an ISO time. */
  startAt: 'C1M_START_AT',
} as const;

/** Scenarios a slice may run: their shards never talk to each other after the start. */
export const SLICEABLE_SCENARIOS = ['echo', 'hold'] as const;

/** One slice of a multi-machine run. */
export interface SliceSpec {
  index: number;
  count: number;
  /** Epoch ms every slice starts its ramp at; null = start as soon as ready. */
  startAtMs: number | null;
}

function whole(flag: string, envName: string, text: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`C1M_SHARD_FLAG: --${flag} (or $${envName}) "${text}" must be a whole number`);
  return Number(text);
}

/**
 * Resolves the slice flags, falling back to the environment; null when neither --shard-count nor
 * $C1M_SHARD_COUNT is given (a local run over every slice). Throws UsageError (exit 2, code in
 * the message) for a half-given, out-of-range or unparseable slice.
 */
export function parseSliceSpec(
  scenario: string,
  flags: { shardIndex: string; shardCount: string; startAt: string },
  env: NodeJS.ProcessEnv,
): SliceSpec | null {
  const countText = flags.shardCount || env[SHARD_ENV.count] || '';
  const indexText = flags.shardIndex || env[SHARD_ENV.index] || '';
  const startText = flags.startAt || env[SHARD_ENV.startAt] || '';
  if (countText === '') {
    if (flags.shardIndex !== '' || flags.startAt !== '') {
      throw new UsageError(
        `C1M_SHARD_COUNT_MISSING: --shard-index and --start-at need --shard-count K (or $${SHARD_ENV.count})`,
      );
    }
    return null;
  }
  const count = whole('shard-count', SHARD_ENV.count, countText);
  if (count < 1) throw new UsageError('C1M_SHARD_FLAG: --shard-count must be at least 1');
  if (indexText === '')
    throw new UsageError(
      `C1M_SHARD_INDEX_MISSING: --shard-count ${count} needs --shard-index 0…${count - 1} (or ` +
        `$${SHARD_ENV.index}, which an Indexed Job sets)`,
    );
  const index = whole('shard-index', SHARD_ENV.index, indexText);
  if (index >= count)
    throw new UsageError(`C1M_SHARD_FLAG: --shard-index ${index} is outside 0…${count - 1} (--shard-count ${count})`);
  if (!(SLICEABLE_SCENARIOS as readonly string[]).includes(scenario)) {
    throw new UsageError(
      `C1M_SHARD_SCENARIO: ${scenario} cannot be sliced over machines (its steps depend on every shard's ` +
        `replies); sliceable scenarios: ${SLICEABLE_SCENARIOS.join(', ')}`,
    );
  }
  let startAtMs: number | null = null;
  if (startText !== '') {
    // An ISO time with an explicit zone: a pod's local zone must not move the barrier.
    startAtMs = /(Z|[+-]\d\d:?\d\d)$/.test(startText) ? Date.parse(startText) : Number.NaN;
    if (Number.isNaN(startAtMs))
      throw new UsageError(
        `C1M_SHARD_START_AT: --start-at (or $${SHARD_ENV.startAt}) "${startText}" must be an ISO time with a ` +
          `zone, e.g. 2026-12-03T12:00:00Z`,
      );
  }
  return { index, count, startAtMs };
}
