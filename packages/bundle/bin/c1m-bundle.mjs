#!/usr/bin/env node
// Bundles each entry point given on the command line (src/x.ts -> dist/x.js) as ESM for Node 20.
// Measured processes run this output under plain `node`, so no transpiler hook skews their
// memory or start-up. Native uWS builds stay external: they are loaded at run time.
import { build } from 'esbuild';
import { basename } from 'node:path';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: c1m-bundle src/main.ts [src/worker.ts …]');
  process.exitCode = 2;
} else {
  await build({
    entryPoints: entries.map((e) => ({ in: e, out: basename(e).replace(/\.ts$/, '') })),
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    external: ['@trufflesuite/uws-js-unofficial', '@btc-vision/uwebsockets.js', 'bufferutil', 'utf-8-validate'],
    // ESM output still meets CommonJS dependencies (ws) that call require().
    banner: {
      js:
        "import { createRequire as __c1mCreateRequire } from 'node:module'; const require = " +
        '__c1mCreateRequire(import.meta.url);',
    },
    logLevel: 'warning',
  });
}
