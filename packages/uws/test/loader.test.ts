import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedPackage, loadUws } from '../src/index.ts';

const OFFICIAL = '@btc-vision/uwebsockets.js';
const UNOFFICIAL = '@trufflesuite/uws-js-unofficial';
const fromThisPackage = createRequire(new URL('../package.json', import.meta.url));

describe('loadUws', () => {
  it('returns a native build, never the pure-JS fallback', () => {
    const build = loadUws();
    expect(build.binary).toMatch(/uws_.*\.node$/);
    // The fallback's App is a JavaScript function; the native one is a C++ binding.
    expect(Function.prototype.toString.call(build.uws.App)).toContain('[native code]');
    expect(build.packageName).toMatch(/uwebsockets\.js|uws-js-unofficial/);
  });

  it('tries the official build by loading its binary (its exports do not list package.json)', () => {
    const build = loadUws();
    if (build.packageName === OFFICIAL) {
      expect(build.passedOver).toEqual([]);
      return;
    }
    // Passed over for what its binary did (glibc here), not for failing to find the package.
    expect(build.passedOver).toHaveLength(1);
    expect(build.passedOver[0]).toMatch(new RegExp(`^${OFFICIAL}: `));
    expect(build.passedOver[0]).not.toMatch(/exports|Cannot find/);
    expect(build.passedOver[0]).toContain(`uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  });
});

describe('installedPackage', () => {
  it('finds each uWS package from its main entry, with or without package.json in its exports', () => {
    for (const name of [OFFICIAL, UNOFFICIAL]) {
      const { root, version } = installedPackage(fromThisPackage, name);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(manifest.name).toBe(name);
      expect(version).toBe(manifest.version);
    }
    expect(() => fromThisPackage.resolve(`${OFFICIAL}/package.json`)).toThrow(/not defined by "exports"/);
  });
});
