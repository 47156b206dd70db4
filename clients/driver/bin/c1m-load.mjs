#!/usr/bin/env node
// The c1m-load command: runs the bundled CLI (build it first: pnpm --filter @c1m/driver build).
import '../dist/cli.js';
