// Finds the server architectures: every servers/<dir>/package.json with a "c1m" field, which
// says which transports it serves, its process model, its styles and its own workload. The
// manifest's shape is @c1m/schema's, the same the servers build their spec from.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isServerPackage, parseServerPackage, type ServerManifest } from '@c1m/schema';

/** The workloads that are also scenarios of the matrix (a server built around one runs that scenario). */
const WORKLOAD_SCENARIOS = ['cpu', 'io'] as const;

/** One server package as the matrix sees it. */
export interface ServerInfo extends Omit<ServerManifest, 'workload'> {
  dir: string;
  /** A server built around one workload runs that workload only. */
  workload?: (typeof WORKLOAD_SCENARIOS)[number];
  /** dist/main.js exists. */
  built: boolean;
  main: string;
}

/** Reads servers/* under `root`, sorted by directory name. Throws on a malformed manifest. */
export function discoverServers(root: string): ServerInfo[] {
  const base = join(root, 'servers');
  if (!existsSync(base)) return [];
  const out: ServerInfo[] = [];
  for (const dir of readdirSync(base).sort()) {
    const manifest = join(base, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    if (!isServerPackage(pkg)) continue;
    const { c1m } = parseServerPackage(pkg);
    const workload = WORKLOAD_SCENARIOS.find((w) => w === c1m.workload);
    if (c1m.workload !== undefined && workload === undefined) {
      throw new Error(
        `servers/${dir}: c1m.workload ${c1m.workload} is not a matrix scenario (${WORKLOAD_SCENARIOS.join(', ')})`,
      );
    }
    const main = join(base, dir, 'dist', 'main.js');
    out.push({ ...c1m, dir, workload, built: existsSync(main), main });
  }
  return out;
}
