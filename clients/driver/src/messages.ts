// The coordinator <-> shard protocol over the fork IPC channel (JSON). Times cross as Date.now()
// epochs (each process converts to its own monotonic clock); histograms as HdrHistogram base64.
import type { PhaseReport } from './stats.ts';
import type { RequestSpec } from './requests.ts';
import type { PoolSettings } from './pool.ts';

/** Everything a shard needs to know once. */
export interface ShardInit {
  index: number;
  shards: number;
  /** Connections this shard opens (echo, hold, max-rate) or per short loop. */
  connections: number;
  /** This shard's share of --connect-rate; 0 = unbounded. */
  connectRate: number;
  /** A ramp stops opening connections while the machine's MemAvailable is below this; 0 = never. */
  minFreeBytes: number;
  pool: PoolSettings;
  requests: RequestSpec;
  /** Send progress messages every second (the coordinator shows them on a TTY). */
  progress: boolean;
}

/** One load phase: closed loop, open loop, or hold (open loop of one ping per connection per round). */
export interface LoadStep {
  mode: 'closed' | 'open' | 'hold';
  /** This shard's share of the message rate (open, hold). */
  rate: number;
  pipeline: number;
  startAtMs: number;
  warmupMs: number;
  durationMs: number;
  graceMs: number;
  /** hold: interval between a connection's pings. */
  pingIntervalMs: number;
  /** Wake precisely for open-loop sends (echo, max-rate); hold uses plain timers. */
  precise: boolean;
  /** Measure RSS per connection at the end (hold). */
  measureRss: boolean;
}

/** One short loop. */
export interface ShortStep {
  loop: number;
  startAtMs: number;
  linger0: boolean;
  /** Round trips on each connection before it is closed. */
  roundTrips: number;
}

export type ToShard =
  | { type: 'init'; init: ShardInit }
  | { type: 'connect'; startAtMs: number }
  | { type: 'load'; step: LoadStep }
  | { type: 'short'; step: ShortStep }
  | { type: 'close' };

/** Connection outcomes of a ramp (or of a short loop). */
export interface ConnectReport {
  requested: number;
  established: number;
  failed: number;
  failedByCause: Record<string, number>;
  /** Connections lost again before the ramp ended. */
  lostDuringRamp: number;
  /** Errors on established connections during the ramp, by cause. */
  errors: Record<string, number>;
  seconds: number;
  /** Connect time histogram (µs), base64. */
  connect: string;
  /** RSS after the ramp (after a GC), for bytes per connection. */
  rssBytes: number;
  /** Why the ramp stopped before opening every connection (the memory guard), if it did. */
  stoppedReason?: string;
}

export interface LoadReport {
  phase: PhaseReport;
  /** hold: per round, pings answered in time and missed. */
  rounds: Array<{ answered: number; missed: number }>;
  /** Connections open when the phase started. */
  connections: number;
  /** RSS at the end of the phase (after a GC), when measured. */
  rssBytes: number;
  /** CPU (user + system) the shard used during the phase. */
  cpuSeconds: number;
}

export interface ShortReport {
  connect: ConnectReport;
  phase: PhaseReport;
  finished: number;
  failed: number;
  seconds: number;
}

export interface ShardUsage {
  cpuSeconds: number;
  rssBytesPeak: number;
}

export type FromShard =
  | { type: 'ready'; rssBytes: number }
  | { type: 'connected'; report: ConnectReport }
  | { type: 'loaded'; report: LoadReport }
  | { type: 'shorted'; report: ShortReport }
  | { type: 'progress'; open: number; sent: number; received: number; errors: number; p99Us: number }
  | { type: 'closed'; usage: ShardUsage }
  | { type: 'fatal'; message: string };
