// The closed line: the JSON line a server prints on stdout after SIGTERM/SIGINT, once drained.
import { shapeParser, type ShapeOf } from './shape.ts';

/** `{"event":"closed",…}`: how the drain went and the final totals. */
export interface ClosedLine {
  event: 'closed';
  /** The signal that stopped it (Node servers). */
  signal?: string;
  /** True when the drain deadline passed and connections were reset. */
  forced?: boolean;
  framesIn?: number;
  framesOut?: number;
  connectionsTotal?: number;
  /** The C baseline's counters (it counts bytes, not frames). */
  connectionsOpen?: number;
  refusedConnections?: number;
  bytesIn?: number;
  bytesOut?: number;
}

const SHAPE: ShapeOf<ClosedLine> = {
  event: 'string',
  signal: 'string?',
  forced: 'boolean?',
  framesIn: 'number?',
  framesOut: 'number?',
  connectionsTotal: 'number?',
  connectionsOpen: 'number?',
  refusedConnections: 'number?',
  bytesIn: 'number?',
  bytesOut: 'number?',
};

/** Validates a parsed closed line; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export const parseClosedLine = shapeParser<ClosedLine>('closed line', SHAPE, { event: ['closed'] });
