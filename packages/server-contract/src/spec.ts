// A server's ServerSpec comes from its package.json ("description" and the "c1m" field), so the
// facts infra reads to build the matrix and the facts the server acts on are written once; the
// manifest's shape and its validation are @c1m/schema's.
import { WORKLOADS, type Workload } from '@c1m/protocol';
import { parseServerPackage } from '@c1m/schema';
import type { ServerSpec } from './options.ts';

/**
 * Builds the spec from a server's package.json, checking the "c1m" field; `usesWorkers` is the one fact only the code
 * knows.
 */
export function specFromPackage(pkg: unknown, usesWorkers: boolean): ServerSpec {
  const { name, description, c1m } = parseServerPackage(pkg);
  const workload = c1m.workload as Workload | undefined;
  if (workload !== undefined && !WORKLOADS.includes(workload)) {
    throw new Error(`${name}: c1m.workload ${workload} is not one of ${WORKLOADS.join(', ')}`);
  }
  return {
    name: name.replace(/^@c1m\//, ''),
    description,
    transports: c1m.transports,
    usesWorkers,
    multiProcess: c1m.processModel === 'multi-process',
    styles: c1m.styles,
    workloads: workload ? [workload] : undefined,
    defaultWorkload: workload,
  };
}
