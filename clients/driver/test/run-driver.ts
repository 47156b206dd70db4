// Runs the BUILT driver (node dist/cli.js) as a subprocess, the way users and infra run it.
// The bundle is rebuilt first when any source it includes is newer, under a lock so test files
// running in parallel never rebuild it while another one is starting it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverResult } from '@c1m/results';

const driverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(driverDir, '..', '..');
const SOURCE_DIRS = ['clients/driver/src', 'packages/protocol/src', 'packages/result-files/src', 'packages/cli/src'];

function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return newest;
}

function builtMs(): number {
  try {
    return Math.min(statSync(join(driverDir, 'dist/cli.js')).mtimeMs, statSync(join(driverDir, 'dist/shard.js')).mtimeMs);
  } catch {
    return 0;
  }
}

const LOCK_DIR = join(tmpdir(), 'c1m-driver-build.lock');
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding a lock directory (mkdir is atomic); a lock older than a minute is stale. */
function withBuildLock(fn: () => void): void {
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK_DIR).mtimeMs > 60_000) rmSync(LOCK_DIR, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Builds dist/ unless it is newer than every source it bundles (checked again under the lock). */
export function ensureBuilt(): void {
  const fresh = () => builtMs() > newestSourceMs();
  if (fresh()) return;
  withBuildLock(() => {
    if (!fresh()) execFileSync('pnpm', ['--filter', '@c1m/driver', 'build'], { cwd: driverDir, stdio: 'ignore' });
  });
}

/** What a driver run produced. */
export interface DriverRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The --json result (present when the run got that far). */
  result?: DriverResult;
}

/** Runs `node dist/cli.js ...args` with `env` and collects its exit code and output. */
export function spawnDriver(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 25_000): Promise<Omit<DriverRun, 'result'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(driverDir, 'dist/cli.js'), ...args], { cwd: driverDir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `node dist/cli.js ...args --json <tmp>` and collects its output. */
export async function runDriver(args: string[], timeoutMs = 25_000): Promise<DriverRun> {
  const jsonPath = join(mkdtempSync(join(tmpdir(), 'c1m-driver-')), 'result.json');
  const run = await spawnDriver([...args, '--json', jsonPath], process.env, timeoutMs);
  let result: DriverResult | undefined;
  try {
    result = JSON.parse(readFileSync(jsonPath, 'utf8')) as DriverResult;
  } catch {
    result = undefined;
  }
  return { ...run, result };
}
