// Captures the environment a result was measured in (kernel, CPU, memory, Node, dependency
// versions, the sysctls and descriptor limits that bound connection counts, git commit), so
// every result file says where its numbers come from and compare can refuse unlike runs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_NOFILE_LIMIT, readNofileLimit, readSysctl } from '@c1m/proc';
import type { EnvInfo } from '@c1m/schema';

/** sysctls recorded with every result: they bound ports, backlogs, descriptors and TCP memory. */
export const RECORDED_SYSCTLS = [
  'net.ipv4.ip_local_port_range',
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_tw_reuse',
  'fs.file-max',
  'fs.nr_open',
  'net.ipv4.tcp_mem',
] as const;

/** Dependencies whose versions shape the measurements. */
export const RECORDED_DEPENDENCIES = [
  'hdr-histogram-js',
  'ws',
  '@trufflesuite/uws-js-unofficial',
  '@btc-vision/uwebsockets.js',
  'esbuild',
  'typescript',
] as const;

/** HEAD of the git repository around `cwd`, or 'unknown' outside a repository. */
export function gitCommit(cwd = process.cwd()): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The directories from which installed packages are looked up: here, cwd, and every workspace package. */
function lookupDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const dirs = [here, process.cwd()];
  for (const start of [here, process.cwd()]) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
        dirs.push(dir);
        for (const group of ['packages', 'servers', 'clients', 'infra']) {
          dirs.push(join(dir, group));
          try {
            for (const name of readdirSync(join(dir, group))) dirs.push(join(dir, group, name));
          } catch {
            // the workspace has no such group
          }
        }
        break;
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return [...new Set(dirs)];
}

/**
 * Installed versions of `names`, found by walking up from each lookup directory to a
 * node_modules/<name>/package.json (pnpm links a package only where it is declared, and a
 * bundled process has no resolver of its own). Packages not found are left out.
 */
export function dependencyVersions(names: readonly string[] = RECORDED_DEPENDENCIES): Record<string, string> {
  const out: Record<string, string> = {};
  const dirs = lookupDirs();
  for (const name of names) {
    for (const start of dirs) {
      const version = findInstalledVersion(start, name);
      if (version !== undefined) {
        out[name] = version;
        break;
      }
    }
  }
  return out;
}

function findInstalledVersion(start: string, name: string): string | undefined {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
        if (typeof version === 'string') return version;
      } catch {
        // unreadable manifest: keep looking further up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The environment of this process and machine. `extra` overrides or adds fields (e.g. `uws`
 * from a server that loaded a native build; its `dependencies` are merged into the found ones).
 */
export function captureEnv(extra: Partial<EnvInfo> = {}): EnvInfo {
  const sysctls: Record<string, string> = {};
  for (const name of RECORDED_SYSCTLS) {
    const value = readSysctl(name);
    if (value !== undefined) sysctls[name] = value;
  }
  const cpus = os.cpus();
  const env: EnvInfo = {
    date: new Date().toISOString(),
    hostname: os.hostname(),
    kernel: `${os.type()} ${os.release()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    dependencies: dependencyVersions(),
    sysctls,
    rlimitNofile: readNofileLimit() ?? DEFAULT_NOFILE_LIMIT,
    gitCommit: gitCommit(),
  };
  return {
    ...env,
    ...extra,
    dependencies: { ...env.dependencies, ...extra.dependencies },
    sysctls: { ...env.sysctls, ...extra.sysctls },
  };
}
