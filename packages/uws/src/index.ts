// Returns a native uWebSockets.js build, or throws. uWS is not on the npm registry under its own
// name: the official builds are republished as @btc-vision/uwebsockets.js (Node 20-25, glibc >= 2.38)
// and older ones as @trufflesuite/uws-js-unofficial (Node <= 20). The latter silently falls back to a
// pure-JS emulation when its binary does not load; a benchmark on that would be a lie, so this loader
// requires the native .node file itself and never touches the fallback.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as UwsModule from '@trufflesuite/uws-js-unofficial';

export type Uws = typeof UwsModule;

/** Which package and file a loaded build came from, for env.json and readiness lines. */
export interface UwsBuild {
  uws: Uws;
  packageName: string;
  version: string;
  binary: string;
  /** Each package tried before this one and why it did not load ("name: reason"). */
  passedOver: string[];
}

const OFFICIAL = '@btc-vision/uwebsockets.js';
const UNOFFICIAL = '@trufflesuite/uws-js-unofficial';

let cached: UwsBuild | undefined;

/** The running glibc version, or 'none' (musl, other OS). */
export function glibcVersion(): string {
  const header = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return header?.header?.glibcVersionRuntime ?? 'none';
}

/**
 * Resolves packages from this package's own directory, so the loader works both from source and
 * when bundled into a server's dist/ (whose node_modules does not hold the uWS packages).
 */
function packageRequire(): NodeRequire {
  const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const own = createRequire(here);
  try {
    return createRequire(own.resolve('@c1m/uws/package.json'));
  } catch {
    return own;
  }
}

/** Where an installed package lies and its version, from its package.json. */
export interface InstalledPackage {
  root: string;
  version: string;
}

/**
 * Installed package `name`, found from its main entry: a package whose `exports` does not list
 * `./package.json` (the official builds' does not) cannot be resolved by that path.
 */
export function installedPackage(req: NodeRequire, name: string): InstalledPackage {
  let dir = dirname(req.resolve(name));
  for (;;) {
    const pkgJson = join(dir, 'package.json');
    if (existsSync(pkgJson)) {
      const manifest = JSON.parse(readFileSync(pkgJson, 'utf8')) as { name?: string; version: string };
      if (manifest.name === name) return { root: dir, version: manifest.version };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${name} above its main entry`);
    dir = parent;
  }
}

/** The packages tried, in order, and where each keeps its .node files. */
const CANDIDATES = [
  { packageName: OFFICIAL, binaries: '.' },
  { packageName: UNOFFICIAL, binaries: 'binaries' },
] as const;

/** Loads (once) and returns a native uWS build; throws an Error naming what was tried otherwise. */
export function loadUws(): UwsBuild {
  if (cached) return cached;
  const req = packageRequire();
  const binaryName = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  const tried: string[] = [];

  for (const { packageName, binaries } of CANDIDATES) {
    try {
      const { root, version } = installedPackage(req, packageName);
      const binary = join(root, binaries, binaryName);
      if (!existsSync(binary)) throw new Error(`no ${binaryName} in the package`);
      const uws = req(binary) as Uws;
      cached = { uws, packageName, version, binary, passedOver: tried };
      return cached;
    } catch (err) {
      tried.push(`${packageName}: ${firstLine(err)}`);
    }
  }

  throw new Error(
    `No native uWebSockets.js build loads on Node ${process.version} (ABI ${process.versions.modules}, ` +
      `${process.platform}-${process.arch}, glibc ${glibcVersion()}). The pure-JS fallback is refused ` +
      `because it would make every benchmark a lie. Tried:\n  - ${tried.join('\n  - ')}`,
  );
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? 'unknown error';
}
