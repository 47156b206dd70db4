// GET /stats: a server's counters aggregated over every process and thread.
import { shapeParser, type ShapeOf } from './shape.ts';

/** Counters only one architecture has, named by it (prefork: childRestarts, anchorHandovers). */
export type ArchitectureStats = Record<string, number>;

/** Stats as served on GET /stats. `A` is the architecture's own counters. */
export interface ServerStats<A extends ArchitectureStats = ArchitectureStats> {
  architecture: string;
  pid: number;
  processes: number;
  threads: number;
  uptimeSeconds: number;
  fdLimit: number;
  maxConnections: number;
  connections: { current: number; peak: number; total: number };
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Count per protocol error code (C1M_…), codes never seen absent. */
  protocolErrors: Record<string, number>;
  backpressureCloses: number;
  /** Times a connection's reading was paused because its unsent output passed --backpressure-soft. */
  backpressurePauses: number;
  /**
   * Times a connection's unsent output passed --backpressure-soft on an engine that cannot pause
   * reading (uWS 20.30): it keeps being read and answered until --backpressure-hard closes it.
   */
  backpressureSoftOverruns: number;
  /** False when some loop runs on a uWS build whose WebSockets cannot pause reading at the soft limit. */
  backpressureSoftPausesReading: boolean;
  refusedConnections: number;
  /**
   * WebSockets that ended without a closing handshake and without a reason the engine names (1006):
   * a peer that reset, and on uWS 20.30 also a peer it dropped for a violation it does not name.
   */
  wsAbnormalCloses: number;
  /** Resident memory of the server's whole process tree. */
  rssBytes: number;
  /** CPU time (user + system) of the whole process tree since start. */
  cpuSeconds: number;
  /** Worst p99 event-loop delay over the server's loops, last second. */
  eventLoopDelayP99Ms: number;
  /** Servers with several loops (threads or child processes): current connections of each. */
  connectionsBySource?: number[];
  /** Counters the architecture owns; absent when it has none. */
  architectureStats?: A;
}

const SHAPE: ShapeOf<ServerStats> = {
  architecture: 'string',
  pid: 'number',
  processes: 'number',
  threads: 'number',
  uptimeSeconds: 'number',
  fdLimit: 'number',
  maxConnections: 'number',
  connections: { current: 'number', peak: 'number', total: 'number' },
  framesIn: 'number',
  framesOut: 'number',
  bytesIn: 'number',
  bytesOut: 'number',
  protocolErrors: 'record<number>',
  backpressureCloses: 'number',
  backpressurePauses: 'number',
  backpressureSoftOverruns: 'number',
  backpressureSoftPausesReading: 'boolean',
  refusedConnections: 'number',
  wsAbnormalCloses: 'number',
  rssBytes: 'number',
  cpuSeconds: 'number',
  eventLoopDelayP99Ms: 'number',
  connectionsBySource: 'number[]?',
  architectureStats: 'record<number>?',
};

/** Validates a parsed /stats answer; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export const parseServerStats = shapeParser<ServerStats>('/stats', SHAPE);
