// A server's ServerSpec comes from its package.json ("description" and the "c1m" field), so the
// facts infra reads to build the matrix and the facts the server acts on are written once.
import { WORKLOADS, type Workload } from '@c1m/protocol';
import { TRANSPORTS, type ServerSpec, type Transport } from './options.ts';

/** The part of a server's package.json the spec is read from (as JSON imports type it). */
export interface ServerPackageJson {
  name: string;
  description: string;
  c1m: { transports: string[]; processModel: string; styles?: string[]; workload?: string };
}

/** Builds the spec, checking the "c1m" field; `usesWorkers` is the one fact only the code knows. */
export function specFromPackage(pkg: ServerPackageJson, usesWorkers: boolean): ServerSpec {
  const name = pkg.name.replace(/^@c1m\//, '');
  const { c1m } = pkg;
  const transports = c1m.transports.filter((t): t is Transport => (TRANSPORTS as readonly string[]).includes(t));
  const workload = c1m.workload as Workload | undefined;
  if (transports.length !== c1m.transports.length || transports.length === 0) {
    throw new Error(`${pkg.name}: c1m.transports must list some of ${TRANSPORTS.join(', ')}`);
  }
  if (workload !== undefined && !WORKLOADS.includes(workload)) throw new Error(`${pkg.name}: unknown c1m.workload ${workload}`);
  if (c1m.processModel !== 'single-process' && c1m.processModel !== 'multi-process') {
    throw new Error(`${pkg.name}: c1m.processModel must be single-process or multi-process`);
  }
  return {
    name,
    description: pkg.description,
    transports,
    usesWorkers,
    multiProcess: c1m.processModel === 'multi-process',
    styles: c1m.styles,
    workloads: workload ? [workload] : undefined,
    defaultWorkload: workload,
  };
}
