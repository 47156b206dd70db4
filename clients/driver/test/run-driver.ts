// Runs the BUILT driver (node dist/cli.js) as a subprocess, the way users and infra run it.
// The bundle is rebuilt first when any source it includes is newer, under a lock so test files
// running in parallel never rebuild it while another one is starting it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDriverResult, type DriverResult } from '@c1m/schema';
// A relative path: the driver does not depend on the server contract, only its tests share the lock.
import { withBuildLock } from '../../../packages/server-contract/src/conformance/fresh-build.ts';

const driverDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(driverDir, '..', '..');
const SOURCE_DIRS = [
  'clients/driver/src',
  'packages/protocol/src',
  'packages/result-files/src',
  'packages/cli/src',
  'packages/proc/src',
];

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
    return Math.min(
      statSync(join(driverDir, 'dist/cli.js')).mtimeMs,
      statSync(join(driverDir, 'dist/shard.js')).mtimeMs,
    );
  } catch {
    return 0;
  }
}

/** Builds dist/ unless it is newer than every source it bundles (checked again under the lock). */
export function ensureBuilt(): void {
  const fresh = () => builtMs() > newestSourceMs();
  if (fresh()) return;
  withBuildLock('driver', () => {
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

/** Runs `node dist/cli.js ...args` with `env` and collects its exit code and output; `onStart` gets the process. */
export function spawnDriver(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 25_000,
  onStart?: (coordinator: ChildProcess) => void,
): Promise<Omit<DriverRun, 'result'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(driverDir, 'dist/cli.js'), ...args], { cwd: driverDir, env });
    onStart?.(child);
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

/** Runs `node dist/cli.js ...args --json <tmp>` and collects its output; `onStart` gets the coordinator process. */
export async function runDriver(
  args: string[],
  timeoutMs = 25_000,
  onStart?: (coordinator: ChildProcess) => void,
): Promise<DriverRun> {
  const jsonPath = join(mkdtempSync(join(tmpdir(), 'c1m-driver-')), 'result.json');
  const run = await spawnDriver([...args, '--json', jsonPath], process.env, timeoutMs, onStart);
  // No file when the run failed before writing it; a file of the wrong shape fails the test.
  const result = existsSync(jsonPath) ? parseDriverResult(JSON.parse(readFileSync(jsonPath, 'utf8'))) : undefined;
  return { ...run, result };
}
