// One vitest run for the whole workspace: a parallel unit project and a serial end-to-end
// project (real server processes and many sockets compete for 2 cores, so they run one file at a time).
import { defineConfig } from 'vitest/config';

const roots = '{packages,servers,clients,infra}';
const e2e = [`${roots}/**/test/e2e/**/*.test.ts`, 'infra/test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './infra/test/plain-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [`${roots}/**/test/**/*.test.ts`, 'infra/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...e2e],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: e2e,
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
