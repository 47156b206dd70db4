// The ready line: the one JSON line a server prints on stdout once it accepts connections (the
// Node servers through @c1m/server-runtime's runServer, the C baseline server in infra/baseline).
import { shapeParser, type ShapeOf } from './shape.ts';

/** The transports a server may serve. */
export const TRANSPORTS = ['tcp', 'ws', 'http'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** `{"event":"ready",…}`: where the server listens and what it can hold. */
export interface ReadyLine {
  event: 'ready';
  /** Package directory name ("single-loop"), or "baseline-c". */
  architecture: string;
  transport: Transport;
  workload?: string;
  style?: string;
  port: number;
  /** Port of GET /stats; null when the server has none (the C baseline answers SIGUSR1 instead). */
  statsPort: number | null;
  pid: number;
  /** Soft RLIMIT_NOFILE of the (primary) process. */
  fdLimit: number;
  processes: number;
  threads: number;
  /** Connections this server can hold on this machine (descriptor budget × processes). */
  maxConnections: number;
  /** What bounds maxConnections, in words. */
  connectionCeiling?: string;
  /** --tls: the transport runs inside TLS (tcp → TLS, ws → wss, http → https). */
  tls?: boolean;
  /** Where the TLS certificate came from (generated at start, or the --tls-cert file). */
  tlsCertificate?: string;
}

const SHAPE: ShapeOf<ReadyLine> = {
  event: 'string',
  architecture: 'string',
  transport: 'string',
  workload: 'string?',
  style: 'string?',
  port: 'number',
  statsPort: 'number|null',
  pid: 'number',
  fdLimit: 'number',
  processes: 'number',
  threads: 'number',
  maxConnections: 'number',
  connectionCeiling: 'string?',
  tls: 'boolean?',
  tlsCertificate: 'string?',
};

/** Validates a parsed ready line; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export const parseReadyLine = shapeParser<ReadyLine>('ready line', SHAPE, { event: ['ready'], transport: TRANSPORTS });
