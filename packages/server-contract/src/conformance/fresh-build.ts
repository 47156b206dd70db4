// Tests run servers as built bundles (dist/), the way users and infra run them. A test that
// starts a server rebuilds its package first when any workspace source is newer than the
// bundle, so `pnpm test:e2e` never measures yesterday's code. The rebuild runs under a lock so
// test files running in parallel never rebuild a bundle another one is starting.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

const pause = new Int32Array(new SharedArrayBuffer(4));
/** A lock directory older than this is left over from a killed run. */
const STALE_LOCK_MS = 60_000;

function newestMs(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Every workspace source directory a server bundle can include (packages/*, servers/*). */
function workspaceSourceDirs(root: string): string[] {
  return ['packages', 'servers'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => join(root, group, name, 'src')),
  );
}

function oldestOutputMs(outputs: readonly string[]): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const path of outputs) oldest = Math.min(oldest, existsSync(path) ? statSync(path).mtimeMs : 0);
  return oldest;
}

/** Runs `fn` holding the build lock of `name` (a directory: mkdir is atomic); a stale one is broken. */
export function withBuildLock(name: string, fn: () => void): void {
  const lock = join(tmpdir(), `c1m-build-${name}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      Atomics.wait(pause, 0, 0, 100);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Rebuilds the server package at `packageDir` (`pnpm --filter <name> build`) unless every
 * dist/*.js it has is newer than every workspace source.
 */
export function ensureServerBuilt(packageDir: string): void {
  const root = join(packageDir, '..', '..');
  const name = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string }).name;
  const dist = join(packageDir, 'dist');
  const outputs = () => {
    const built = existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.js')) : [];
    return built.length > 0 ? built.map((f) => join(dist, f)) : [join(dist, 'main.js')];
  };
  const fresh = () => oldestOutputMs(outputs()) > Math.max(...workspaceSourceDirs(root).map(newestMs));
  if (fresh()) return;
  withBuildLock(basename(packageDir), () => {
    if (!fresh()) execFileSync('pnpm', ['--filter', name, 'build'], { cwd: packageDir, stdio: 'ignore' });
  });
}
