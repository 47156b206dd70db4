// Server counters. Each thread owns one StatsCounters (a Float64Array, optionally over a
// SharedArrayBuffer so a parent thread can read it without messages); snapshots from threads and
// processes merge by summing, except gauges (peak, event-loop delay) which take the maximum.
import { ERROR_CODES, type C1mErrorCode } from '@c1m/protocol';
import type { ArchitectureStats, ServerStats } from '@c1m/schema';

const FIELDS = [
  'connectionsCurrent',
  'connectionsPeak',
  'connectionsTotal',
  'framesIn',
  'framesOut',
  'bytesIn',
  'bytesOut',
  'backpressureCloses',
  'backpressurePauses',
  'backpressureSoftOverruns',
  'refusedConnections',
  'wsAbnormalCloses',
  'eventLoopDelayP99Ms',
  // A flag, not a count: 1 when some loop of the server cannot pause reading at the soft limit.
  'softLimitUnpausable',
] as const;
type Field = (typeof FIELDS)[number];

const INDEX = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;
const ERROR_BASE = FIELDS.length;
/** Number of float64 slots in one counter block. */
export const COUNTER_SLOTS = ERROR_BASE + ERROR_CODES.length;
const ERROR_INDEX = new Map<C1mErrorCode, number>(ERROR_CODES.map((c, i) => [c, ERROR_BASE + i]));

/** Raw counter values of one thread, process, or a merge of several. */
export type CounterSnapshot = number[];

/** The counters of one thread. Hot-path methods are plain float adds. */
export class StatsCounters {
  readonly values: Float64Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.values = buffer ? new Float64Array(buffer) : new Float64Array(COUNTER_SLOTS);
  }

  /** A SharedArrayBuffer sized for one counter block. */
  static sharedBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(COUNTER_SLOTS * Float64Array.BYTES_PER_ELEMENT);
  }

  connectionOpened(): void {
    const v = this.values;
    v[INDEX.connectionsTotal]! += 1;
    const current = (v[INDEX.connectionsCurrent]! += 1);
    if (current > v[INDEX.connectionsPeak]!) v[INDEX.connectionsPeak] = current;
  }

  connectionClosed(): void {
    this.values[INDEX.connectionsCurrent]! -= 1;
  }

  get connectionsCurrent(): number {
    return this.values[INDEX.connectionsCurrent]!;
  }

  frameIn(bytes: number, frames = 1): void {
    this.values[INDEX.framesIn]! += frames;
    this.values[INDEX.bytesIn]! += bytes;
  }

  /** One reply of `bytes` body bytes written, or `frames` replies with `bytes` of bodies between them. */
  frameOut(bytes: number, frames = 1): void {
    this.values[INDEX.framesOut]! += frames;
    this.values[INDEX.bytesOut]! += bytes;
  }

  protocolError(code: C1mErrorCode): void {
    this.values[ERROR_INDEX.get(code)!]! += 1;
  }

  backpressureClose(): void {
    this.values[INDEX.backpressureCloses]! += 1;
  }

  backpressurePause(): void {
    this.values[INDEX.backpressurePauses]! += 1;
  }

  backpressureSoftOverrun(): void {
    this.values[INDEX.backpressureSoftOverruns]! += 1;
  }

  /** Declares that this loop cannot pause reading at the soft limit (see ServerStats.backpressureSoftPausesReading). */
  markSoftLimitUnpausable(): void {
    this.values[INDEX.softLimitUnpausable] = 1;
  }

  wsAbnormalClose(): void {
    this.values[INDEX.wsAbnormalCloses]! += 1;
  }

  refused(): void {
    this.values[INDEX.refusedConnections]! += 1;
  }

  setEventLoopDelayP99Ms(ms: number): void {
    this.values[INDEX.eventLoopDelayP99Ms] = ms;
  }

  snapshot(): CounterSnapshot {
    return Array.from(this.values);
  }
}

/**
 * Merges snapshots: sums, except the per-source peak, the event-loop delay and the unpausable flag, which take the
 * maximum (the merged peak is then a lower bound of the true concurrent peak; see StatsContext.observedPeak).
 */
export function mergeSnapshots(snapshots: readonly CounterSnapshot[]): CounterSnapshot {
  const out = new Array<number>(COUNTER_SLOTS).fill(0);
  for (const s of snapshots) {
    for (let i = 0; i < COUNTER_SLOTS; i++) {
      if (i === INDEX.eventLoopDelayP99Ms || i === INDEX.connectionsPeak || i === INDEX.softLimitUnpausable)
        out[i] = Math.max(out[i]!, s[i] ?? 0);
      else out[i]! += s[i] ?? 0;
    }
  }
  return out;
}

/** Context a snapshot lacks: who is reporting, process-tree measurements, limits. */
export interface StatsContext {
  architecture: string;
  pid: number;
  processes: number;
  threads: number;
  startedAtMs: number;
  fdLimit: number;
  maxConnections: number;
  rssBytes: number;
  cpuSeconds: number;
  /** Highest concurrent total seen (sum over sources); summed per-source peaks overstate it. */
  observedPeak: number;
  /** Servers with several loops: current connections of each. */
  connectionsBySource?: number[];
  /** The architecture's own counters (prefork: childRestarts, anchorHandovers). */
  architectureStats?: ArchitectureStats;
}

/** Turns a merged snapshot into the /stats JSON. */
export function toServerStats(s: CounterSnapshot, ctx: StatsContext): ServerStats {
  const protocolErrors: Partial<Record<C1mErrorCode, number>> = {};
  for (const [code, i] of ERROR_INDEX) if (s[i]! > 0) protocolErrors[code] = s[i]!;
  const current = s[INDEX.connectionsCurrent]!;
  return {
    architecture: ctx.architecture,
    pid: ctx.pid,
    processes: ctx.processes,
    threads: ctx.threads,
    uptimeSeconds: (Date.now() - ctx.startedAtMs) / 1000,
    fdLimit: ctx.fdLimit,
    maxConnections: ctx.maxConnections,
    connections: {
      current,
      peak: Math.max(ctx.observedPeak, s[INDEX.connectionsPeak]!, current),
      total: s[INDEX.connectionsTotal]!,
    },
    framesIn: s[INDEX.framesIn]!,
    framesOut: s[INDEX.framesOut]!,
    bytesIn: s[INDEX.bytesIn]!,
    bytesOut: s[INDEX.bytesOut]!,
    protocolErrors,
    backpressureCloses: s[INDEX.backpressureCloses]!,
    backpressurePauses: s[INDEX.backpressurePauses]!,
    backpressureSoftOverruns: s[INDEX.backpressureSoftOverruns]!,
    backpressureSoftPausesReading: s[INDEX.softLimitUnpausable]! === 0,
    refusedConnections: s[INDEX.refusedConnections]!,
    wsAbnormalCloses: s[INDEX.wsAbnormalCloses]!,
    rssBytes: ctx.rssBytes,
    cpuSeconds: ctx.cpuSeconds,
    eventLoopDelayP99Ms: s[INDEX.eventLoopDelayP99Ms]!,
    ...(ctx.connectionsBySource && { connectionsBySource: ctx.connectionsBySource }),
    ...(ctx.architectureStats && { architectureStats: ctx.architectureStats }),
  };
}

/** Current connections in a snapshot. */
export function snapshotConnections(s: CounterSnapshot): number {
  return s[INDEX.connectionsCurrent]!;
}

/** Peak connections a single source recorded. */
export function snapshotPeak(s: CounterSnapshot): number {
  return s[INDEX.connectionsPeak]!;
}

/**
 * The snapshot of a source that has ended (a process that exited): its totals still count, its
 * current connections and event-loop delay no longer do. Merge it with the live sources' snapshots.
 */
export function retiredSnapshot(s: CounterSnapshot): CounterSnapshot {
  const out = s.slice();
  out[INDEX.connectionsCurrent] = 0;
  out[INDEX.eventLoopDelayP99Ms] = 0;
  return out;
}
