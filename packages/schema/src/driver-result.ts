// The shape of one load-generator run as written by `c1m-load --json`, read by infra (tables,
// report, compare). Numbers carry their unit in the name; histograms travel HdrHistogram-encoded
// (base64, µs resolution) so shards and machines merge exactly. Read back through parseDriverResult.
import type { EnvInfo } from './env-info.ts';
import { shapeParser, type Shape, type ShapeOf } from './shape.ts';
import type { MergeSection, ShardSection } from './shard-result.ts';

/** Percentiles of one latency distribution, in microseconds. */
export interface LatencySummaryUs {
  count: number;
  minUs: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

/** The TcpMotor-style latency bucket table: counts per range, plus average (µs) and sumCount. */
export type LatencyBuckets = Record<string, number>;

/** The scenarios c1m-load runs. */
export const DRIVER_SCENARIOS = ['echo', 'hold', 'short', 'max-rate'] as const;

/** One run of c1m-load. Scenario-specific sections are present only for that scenario. */
export interface DriverResult {
  tool: 'c1m-load';
  schemaVersion: 1;
  scenario: (typeof DRIVER_SCENARIOS)[number];
  target: string[];
  /** The exact command line. */
  command: string[];
  options: Record<string, unknown>;
  env: EnvInfo;
  startedAt: string;
  /**
   * The measured time messagesPerSecond is taken over (echo: --duration; hold: the hold; short: all loops; max-rate:
   * all steps).
   */
  durationSeconds: number;
  /** Wall time of the whole run: shard start, ramp, load, grace and close. */
  wallSeconds?: number;
  passed: boolean;
  /** Why the run failed its own checks (empty when passed). */
  failures: string[];
  connections: {
    requested: number;
    established: number;
    failed: number;
    failedByCause: Record<string, number>;
    peak: number;
    connectSeconds: number;
    /** Established during the ramp but lost again before it ended. */
    lostDuringRamp?: number;
    /** Why the ramp stopped before `requested` (the driver's free-memory guard), when it did. */
    rampStoppedReason?: string;
  };
  connectTimeUs: LatencySummaryUs;
  /**
   * Every request and reply of the run, warm-up included (every reply is checked). `measured`
   * counts the correct replies inside the measurement window (the latency histograms' count);
   * `notSent` the scheduled sends skipped because their connection was gone.
   */
  messages: {
    sent: number;
    received: number;
    mismatches: number;
    missing: number;
    measured?: number;
    notSent?: number;
  };
  messagesPerSecond: number;
  bytesSentPerSecond: number;
  bytesReceivedPerSecond: number;
  /** Latency from the scheduled send time (coordinated omission corrected); equals uncorrected in closed loop. */
  latencyUs: LatencySummaryUs;
  /** Latency from the actual send time. */
  latencyUncorrectedUs: LatencySummaryUs;
  buckets: LatencyBuckets;
  errorsByCause: Record<string, number>;
  histograms: { latencyCorrected: string; latencyUncorrected: string; connect: string };
  driver: {
    shards: number;
    /** CPU (user + system) of the coordinator and every shard. */
    cpuSeconds: number;
    /** Sum of the shards' peak RSS. */
    rssBytesPeak: number;
    /** Shard RSS gained per established connection, after GC, beyond rssBytesBaseline. */
    rssBytesPerConnection?: number;
    /** Sum of the shards' RSS before connecting (after GC). */
    rssBytesBaseline?: number;
    /** CPU of the shards during the load phase(s) only (no start-up, ramp or close): per-message cost. */
    loadCpuSeconds?: number;
    /** Shards that died during the run: their connections count as C1M_SHARD_LOST, their figures are missing. */
    lostShards?: Array<{ index: number; pid: number; exit: string; during: string; connections: number }>;
  };
  hold?: {
    pingIntervalSeconds: number;
    rounds: Array<{ atSeconds: number; answered: number; missed: number }>;
    pingRttUs: LatencySummaryUs;
  };
  short?: {
    /** Per loop; timeWait is the kernel's TIME_WAIT count (/proc/net/sockstat `tw`) right after it. */
    loops: Array<{ loop: number; finished: number; failed: number; seconds: number; timeWait?: number }>;
    timeWaitAfter: number;
    timeWaitBefore?: number;
  };
  maxRate?: {
    sloP99Us: number;
    steps: Array<{
      rate: number;
      messagesPerSecond: number;
      p99Us: number;
      withinSlo: boolean;
      p50Us?: number;
      missing?: number;
    }>;
    bestRate: number;
  };
  /** A slice of a run spread over machines (--shard-count): which one, and its exact byte counts. */
  shard?: ShardSection;
  /** A merge of slices (`c1m-load merge`): the slices' own figures beside this total. */
  merge?: MergeSection;
}

const LATENCY: ShapeOf<LatencySummaryUs> = {
  count: 'number',
  minUs: 'number',
  meanUs: 'number',
  p50Us: 'number',
  p90Us: 'number',
  p99Us: 'number',
  p999Us: 'number',
  maxUs: 'number',
};

const ENV: ShapeOf<EnvInfo> = {
  date: 'string',
  hostname: 'string',
  kernel: 'string',
  cpuModel: 'string',
  cores: 'number',
  memoryBytes: 'number',
  node: 'string',
  uws: 'string?',
  dependencies: 'record<string>',
  sysctls: 'record<string>',
  rlimitNofile: { soft: 'number', hard: 'number' },
  gitCommit: 'string',
};

// Sections are checked to their fields; the per-scenario sections' inner rows are checked as arrays.
const SHAPE: ShapeOf<DriverResult> = {
  tool: 'string',
  schemaVersion: 'number',
  scenario: 'string',
  target: 'string[]',
  command: 'string[]',
  options: 'object',
  env: ENV as Shape,
  startedAt: 'string',
  durationSeconds: 'number',
  wallSeconds: 'number?',
  passed: 'boolean',
  failures: 'string[]',
  connections: {
    requested: 'number',
    established: 'number',
    failed: 'number',
    failedByCause: 'record<number>',
    peak: 'number',
    connectSeconds: 'number',
    lostDuringRamp: 'number?',
    rampStoppedReason: 'string?',
  },
  connectTimeUs: LATENCY as Shape,
  messages: {
    sent: 'number',
    received: 'number',
    mismatches: 'number',
    missing: 'number',
    measured: 'number?',
    notSent: 'number?',
  },
  messagesPerSecond: 'number',
  bytesSentPerSecond: 'number',
  bytesReceivedPerSecond: 'number',
  latencyUs: LATENCY as Shape,
  latencyUncorrectedUs: LATENCY as Shape,
  buckets: 'record<number>',
  errorsByCause: 'record<number>',
  histograms: { latencyCorrected: 'string', latencyUncorrected: 'string', connect: 'string' },
  driver: {
    shards: 'number',
    cpuSeconds: 'number',
    rssBytesPeak: 'number',
    rssBytesPerConnection: 'number?',
    rssBytesBaseline: 'number?',
    loadCpuSeconds: 'number?',
  },
  hold: { optional: { pingIntervalSeconds: 'number', rounds: 'array', pingRttUs: LATENCY as Shape } },
  short: { optional: { loops: 'array', timeWaitAfter: 'number', timeWaitBefore: 'number?' } },
  maxRate: { optional: { sloP99Us: 'number', steps: 'array', bestRate: 'number' } },
  shard: {
    optional: {
      index: 'number',
      count: 'number',
      startAt: 'string',
      startOffsetMs: 'number',
      rate: 'number',
      bytesSentMeasured: 'number',
      bytesReceivedMeasured: 'number',
    } satisfies ShapeOf<ShardSection>,
  },
  merge: {
    optional: { files: 'string[]', perShard: 'array', startOffsetSpreadMs: 'number' } satisfies ShapeOf<MergeSection>,
  },
};

/** Validates a parsed `c1m-load --json` file; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export const parseDriverResult = shapeParser<DriverResult>('driver result', SHAPE, {
  tool: ['c1m-load'],
  schemaVersion: [1],
  scenario: DRIVER_SCENARIOS,
});
