// A shard that died during a run (SIGKILL, OOM killer, crash) must not take the whole result
// with it: the coordinator stands in for it with the replies below, in which everything the shard
// held counts as lost (C1M_SHARD_LOST), and names it in the result, so the run ends with the
// other shards' figures, a failure that says which shard is missing, and exit 1.
import { createHistogram, encodeHistogram } from '@c1m/results';
import type { ConnectReport, FromShard, ShardInit } from '../ipc/messages.ts';
import { countCause, PhaseStats } from '../recording/stats.ts';

/** The cause every connection of a dead shard is counted under. */
export const SHARD_LOST = 'C1M_SHARD_LOST';

/** A shard that exited while the run still needed it. */
export interface LostShard {
  index: number;
  pid: number;
  /** How it ended: the signal (SIGKILL) or `code N`. */
  exit: string;
  /** The step it was running or was asked for next: connect, load, short, close. */
  during: string;
  /** Connections it held (or was to open) when it died; their figures are missing. */
  connections: number;
}

/** What the coordinator knows of a shard when it dies. */
export interface LostShardContext {
  init: ShardInit;
  /** Connections it reported open after its ramp; undefined before that. */
  held: number | undefined;
  baselineRssBytes: number;
}

type Reply<T extends FromShard['type']> = Extract<FromShard, { type: T }>;

function lostConnect(ctx: LostShardContext): ConnectReport {
  const n = ctx.init.connections;
  return {
    requested: n,
    established: 0,
    failed: n,
    failedByCause: n > 0 ? { [SHARD_LOST]: n } : {},
    lostDuringRamp: 0,
    errors: {},
    seconds: 0,
    connect: encodeHistogram(createHistogram()),
    // Its baseline: a dead shard adds no bytes per connection.
    rssBytes: ctx.baselineRssBytes,
  };
}

function lostPhase(connections: number) {
  const stats = new PhaseStats();
  if (connections > 0) countCause(stats.errors, SHARD_LOST, connections);
  return stats.report();
}

/**
 * The reply a dead shard would have sent to a step of `type`. Throws for 'ready': a shard that
 * dies before the run starts leaves nothing partial to report.
 */
export function lostReply<T extends FromShard['type']>(type: T, ctx: LostShardContext): Reply<T> {
  const held = ctx.held ?? ctx.init.connections;
  let reply: FromShard;
  switch (type) {
    case 'connected':
      reply = { type, report: lostConnect(ctx) };
      break;
    case 'loaded':
      reply = {
        type,
        report: {
          phase: lostPhase(held),
          rounds: [],
          connections: held,
          rssBytes: ctx.baselineRssBytes,
          cpuSeconds: 0,
        },
      };
      break;
    case 'shorted':
      reply = {
        type,
        report: {
          connect: lostConnect(ctx),
          phase: lostPhase(0),
          finished: 0,
          failed: ctx.init.connections,
          seconds: 0,
        },
      };
      break;
    case 'closed':
      reply = { type, usage: { cpuSeconds: 0, rssBytesPeak: 0 } };
      break;
    default:
      throw new Error(`no stand-in for a lost shard's ${type} reply`);
  }
  return reply as Reply<T>;
}

/** The failure line naming a lost shard. */
export function lostShardFailure(s: LostShard): string {
  return (
    `shard ${s.index} (pid ${s.pid}) died during ${s.during} (${s.exit}): its ${s.connections} connections ` +
    `and their figures are missing from this result`
  );
}
