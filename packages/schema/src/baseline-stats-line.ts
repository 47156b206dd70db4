// The C baseline server's answer to SIGUSR1 (infra/baseline/echo-server.c): it has no /stats
// port, so it prints its counters as one JSON line instead.
import { shapeParser, type ShapeOf } from './shape.ts';

/** `{"event":"stats",…}`: bytes and connections (the C server counts frames only in --http mode). */
export interface BaselineStatsLine {
  event: 'stats';
  bytesIn: number;
  bytesOut: number;
  connections: { current: number; peak: number; total: number };
  refusedConnections: number;
  /** --http mode: requests parsed, 200 responses sent, and requests refused (400, 431). */
  framesIn?: number;
  framesOut?: number;
  badRequests?: number;
}

const SHAPE: ShapeOf<BaselineStatsLine> = {
  event: 'string',
  bytesIn: 'number',
  bytesOut: 'number',
  connections: { current: 'number', peak: 'number', total: 'number' },
  refusedConnections: 'number',
  framesIn: 'number?',
  framesOut: 'number?',
  badRequests: 'number?',
};

/** Validates a parsed stats line; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export const parseBaselineStatsLine = shapeParser<BaselineStatsLine>('baseline stats line', SHAPE, {
  event: ['stats'],
});
