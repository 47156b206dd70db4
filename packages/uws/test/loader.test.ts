import { describe, expect, it } from 'vitest';
import { loadUws } from '../src/index.ts';

describe('loadUws', () => {
  it('returns a native build, never the pure-JS fallback', () => {
    const build = loadUws();
    expect(build.binary).toMatch(/uws_.*\.node$/);
    // The fallback's App is a JavaScript function; the native one is a C++ binding.
    expect(Function.prototype.toString.call(build.uws.App)).toContain('[native code]');
    expect(build.packageName).toMatch(/uwebsockets\.js|uws-js-unofficial/);
  });
});
