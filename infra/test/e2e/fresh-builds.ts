// The infra e2e tests run bench scripts against the BUILT servers and driver: rebuild any bundle
// older than its sources first, as the servers' and the driver's own tests do.
import { join } from 'node:path';
import { ensureServerBuilt } from '@c1m/server-contract/conformance';
import { ensureBuilt } from '../../../clients/driver/test/run-driver.ts';
import { repoRoot } from '../../src/lib/paths.ts';
import { discoverServers } from '../../src/matrix/servers.ts';

/** Rebuilds the driver and every server whose bundle is older than a source. */
export function ensureFreshBuilds(): void {
  ensureBuilt();
  for (const server of discoverServers(repoRoot)) ensureServerBuilt(join(repoRoot, 'servers', server.dir));
}
