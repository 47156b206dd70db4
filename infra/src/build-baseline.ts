// CLI: compile the C baseline pair (`pnpm --filter @c1m/infra build:baseline`).
import { runCli } from '@c1m/cli';
import { buildBaseline } from './baseline/build.ts';

runCli('build-baseline', async () => {
  const build = await buildBaseline();
  if (!build.ok) {
    process.stdout.write(`baseline skipped: ${build.reason}\n`);
    return 0;
  }
  process.stdout.write(`built with ${build.compiler}:\n  ${build.server}\n  ${build.client}\n`);
  return 0;
});
