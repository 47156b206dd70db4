// The coordinator <-> shard protocol over the fork IPC channel (JSON). Times cross as Date.now()
// epochs (each process converts to its own monotonic clock); histograms as HdrHistogram base64.
// Plain data only: nothing here imports the pool, the shard or the coordinator, so either side
// (and a test) can read the protocol without loading the other.
import type { HttpWorkload, Workload } from '@c1m/protocol';
import type { SizeSpec, Target } from '../options/values.ts';

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

/** How a shard's connections are made. */
export interface PoolSettings {
  targets: Target[];
  /** Addresses to bind, chosen round-robin by global connection index; empty = let the kernel choose. */
  sourceIps: string[];
  /** Global index of this shard's first connection (targets and sources rotate on it). */
  firstIndex: number;
  maxFrameBytes: number;
  connectTimeoutUs: number;
  /** short: the timeout covers the whole exchange, not just connecting. */
  timeoutCoversExchange: boolean;
  /**
   * Explicit local ports, whenever a source address is bound: this shard's slice of the
   * ephemeral range (first, first+step, …), one cursor per source address. bind(ip, 0) would make
   * the kernel search for a free port on every connect, which collapses at ~10K ports per address.
   */
  localPorts?: { first: number; last: number; step: number };
  /**
   * Further ports tried when an explicit one is taken (EADDRINUSE) or its 4-tuple is
   * (EADDRNOTAVAIL). 0 for short: there such failures are what the TIME_WAIT test measures.
   */
  portRetries: number;
}

/** What a shard sends. */
export interface RequestSpec {
  transport: 'tcp' | 'ws' | 'http';
  workload: Workload | HttpWorkload;
  cpuRounds: number;
  size: SizeSpec;
  /**
   * ws hold with --ping-kind ws-ping: each request goes as a WebSocket ping control frame and its
   * pong is the reply (answered by the server's WebSocket engine itself, no application callback).
   */
  wsPingFrames: boolean;
  /** http: the GET request every send writes (latin1), and the server's --body-size. */
  http?: { request: string; bodySize: number; keepAlive: boolean };
}

/** Message counters of a load phase. */
export interface MessageCounts {
  /** Requests written, warm-up included. */
  sent: number;
  /** Correct replies, warm-up included. */
  received: number;
  /** Replies that were wrong or answered no request in flight. */
  mismatches: number;
  /** Requests never answered (connection lost, or still outstanding after the grace period). */
  missing: number;
  /** Scheduled sends skipped because the connection was gone. */
  notSent: number;
  /** Correct replies inside the measurement window (the latency histograms' count). */
  measured: number;
  bytesSentMeasured: number;
  bytesReceivedMeasured: number;
}

/** A phase's counters, errors and histograms as sent to the coordinator. */
export interface PhaseReport {
  counts: MessageCounts;
  errors: Record<string, number>;
  corrected: string;
  uncorrected: string;
}
