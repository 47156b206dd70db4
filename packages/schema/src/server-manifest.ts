// The "c1m" field of a server package's package.json: what the server serves. The server builds
// its spec from it and infra builds the matrix from it, so the facts are written once.
import { TRANSPORTS, type Transport } from './ready-line.ts';
import { SchemaError, checkShape, type ShapeOf } from './shape.ts';

export const PROCESS_MODELS = ['single-process', 'multi-process'] as const;
export type ProcessModel = (typeof PROCESS_MODELS)[number];

/** package.json "c1m". */
export interface ServerManifest {
  transports: Transport[];
  processModel: ProcessModel;
  /** Architecture variants (--style), the first the default. */
  styles?: string[];
  /** The one workload a server built around it runs (a wire protocol workload name). */
  workload?: string;
}

/** The parts of a server's package.json read with the manifest. */
export interface ServerPackage {
  name: string;
  description: string;
  c1m: ServerManifest;
}

const SHAPE: ShapeOf<ServerPackage> = {
  name: 'string',
  description: 'string',
  c1m: { transports: 'string[]', processModel: 'string', styles: 'string[]?', workload: 'string?' },
};

/** Validates a parsed package.json of a server; throws SchemaError (C1M_SCHEMA_INVALID) naming the bad field. */
export function parseServerPackage(value: unknown): ServerPackage {
  const what = 'package.json c1m manifest';
  checkShape(what, value, SHAPE);
  const c1m = value.c1m as ServerManifest;
  const transportChoices = TRANSPORTS as readonly string[];
  if (c1m.transports.length === 0 || !c1m.transports.every((t) => transportChoices.includes(t))) {
    throw new SchemaError(what, 'c1m.transports', `a non-empty list of ${TRANSPORTS.join(', ')}`);
  }
  if (!(PROCESS_MODELS as readonly string[]).includes(c1m.processModel)) {
    throw new SchemaError(what, 'c1m.processModel', `one of ${PROCESS_MODELS.join(', ')}`);
  }
  return value as unknown as ServerPackage;
}

/** True when a parsed package.json declares a server (has a "c1m" field). */
export function isServerPackage(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'c1m' in value;
}
