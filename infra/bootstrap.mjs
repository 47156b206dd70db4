#!/usr/bin/env node
// Quick-start entry for a machine with only Node and npm: installs the workspace with the
// pnpm that package.json's packageManager pins (fetched through npx, since corepack's signature
// check fails against this registry), then runs one root script through it. Used by `npm run bench`
// and `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// One place for the version: the field turbo and pnpm read as well.
const PNPM = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
const [script, ...rest] = process.argv.slice(2);
if (!script) {
  console.error('usage: node infra/bootstrap.mjs <root-script> [args…]');
  process.exitCode = 2;
} else {
  const pnpm = (args) => spawnSync('npx', ['-y', PNPM, ...args], { cwd: root, stdio: 'inherit' }).status ?? 1;
  const lock = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
  let status = pnpm(['install', ...lock]);
  if (status === 0) status = pnpm(['run', script, ...rest]);
  process.exitCode = status;
}
