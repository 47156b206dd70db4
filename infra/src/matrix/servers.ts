// Finds the server architectures: every servers/<dir>/package.json with a "c1m" field, which
// says which transports it serves, its process model, its styles and its own workload.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One server package as the matrix sees it. */
export interface ServerInfo {
  dir: string;
  transports: Array<'tcp' | 'ws' | 'http'>;
  processModel: 'single-process' | 'multi-process';
  styles?: string[];
  /** A server built around one workload runs that workload only. */
  workload?: 'cpu' | 'io';
  /** dist/main.js exists. */
  built: boolean;
  main: string;
}

/** Reads servers/* under `root`, sorted by directory name. */
export function discoverServers(root: string): ServerInfo[] {
  const base = join(root, 'servers');
  if (!existsSync(base)) return [];
  const out: ServerInfo[] = [];
  for (const dir of readdirSync(base).sort()) {
    const manifest = join(base, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const c1m = (JSON.parse(readFileSync(manifest, 'utf8')) as { c1m?: Partial<ServerInfo> }).c1m;
    if (!c1m?.transports || !c1m.processModel) continue;
    const main = join(base, dir, 'dist', 'main.js');
    out.push({
      dir,
      transports: c1m.transports,
      processModel: c1m.processModel,
      styles: c1m.styles,
      workload: c1m.workload,
      built: existsSync(main),
      main,
    });
  }
  return out;
}
