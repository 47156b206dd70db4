// The environment recorded with the benchmark's figures (a subset of @c1m/results' EnvInfo that
// needs no privileges or extra dependencies).
import { execFileSync } from 'node:child_process';
import { cpus, hostname, release, totalmem } from 'node:os';

export interface BenchEnv {
  date: string;
  hostname: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  v8: string;
  gitCommit: string;
}

/** Captures the environment; `repoRoot` is where git is asked for the commit. */
export function benchEnv(repoRoot: string): BenchEnv {
  let gitCommit = 'unknown';
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout (e.g. an unpacked tarball): the figure is still valid without it.
  }
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    hostname: hostname(),
    kernel: release(),
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryBytes: totalmem(),
    node: process.version,
    v8: process.versions.v8,
    gitCommit,
  };
}
