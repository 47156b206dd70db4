// A slice of a run spread over machines: what a pod of the Indexed Job runs. It forks one shard
// with exactly the ShardInit the local coordinator would give shard I of K (shardSlice), sends
// its share of --rate, waits for the shared start time, and records what a merge needs.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '@c1m/cli';
import type { DriverResult } from '@c1m/schema';
import type { Options } from '../options/options.ts';
import { shardSlice, socketsNeeded, socketsPerShard } from './plan.ts';
import { START_DELAY_MS, type RunPlan } from './run.ts';
import type { SliceSpec } from '../options/slice-spec.ts';

/** Wall-clock ms with sub-ms precision (Date.now() rounds to whole ms). */
const preciseNowMs = () => performance.timeOrigin + performance.now();

/** The plan of slice `spec`: one shard, its share of the rate, the start barrier. */
export function slicePlan(options: Options, spec: SliceSpec, progress: boolean): RunPlan {
  const init = shardSlice(options, spec.index, spec.count, progress);
  const total = socketsNeeded(options);
  if (init.connections === 0) {
    throw new UsageError(
      `C1M_SHARD_EMPTY: slice ${spec.index} of ${spec.count} gets no connection of ${total}; use ` +
        `--shard-count ${total} or fewer`,
    );
  }
  if (init.connections > socketsPerShard()) {
    throw new UsageError(
      `C1M_SHARD_TOO_BIG: slice ${spec.index} holds ${init.connections} connections, more than ` +
        `the ${socketsPerShard()} one process may hold here (RLIMIT_NOFILE); use ` +
        `--shard-count ${Math.ceil(total / socketsPerShard())} or more`,
    );
  }
  // The same split the coordinator makes (rateShares), by planned rather than established
  // connections: a pod cannot know how many the other pods established.
  const rate = (options.rate * init.connections) / total;
  let startAtMs = 0;
  let startOffsetMs = 0;
  return {
    inits: [init],
    stepOptions: { ...options, rate },
    beforeFirstStep: async () => {
      // connectAll starts the ramp START_DELAY_MS after it is called: wake that much earlier.
      startAtMs = spec.startAtMs ?? Date.now() + START_DELAY_MS;
      const waitMs = startAtMs - START_DELAY_MS - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      startOffsetMs = Math.round((preciseNowMs() + START_DELAY_MS - startAtMs) * 1000) / 1000;
    },
    annotate: (result: DriverResult, outcome) => ({
      ...result,
      shard: {
        index: spec.index,
        count: spec.count,
        startAt: new Date(startAtMs).toISOString(),
        startOffsetMs,
        rate,
        bytesSentMeasured: outcome.phase.counts.bytesSentMeasured,
        bytesReceivedMeasured: outcome.phase.counts.bytesReceivedMeasured,
      },
    }),
  };
}

/**
 * A pod's target is a Service name: resolve it once here, not once per connection (18,000
 * lookups through the cluster DNS during the ramp). The url stays as given, so every slice's
 * result names the same target and the merge can compare them.
 */
export async function resolveTargetHosts(options: Options): Promise<Options> {
  const targets = await Promise.all(
    options.targets.map(async (t) => (isIP(t.host) ? t : { ...t, host: (await lookup(t.host)).address })),
  );
  return { ...options, targets };
}
