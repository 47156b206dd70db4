// The shared conformance suite against the reactor: echo (every frame still crosses to a worker
// and back) and the cpu workload it exists for.
import { fileURLToPath } from 'node:url';
import { describeConformance } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

describeConformance({ name: 'worker-pool', packageDir, transports: ['ws'], wsEngine: 'uws' });
describeConformance({
  name: 'worker-pool',
  packageDir,
  transports: ['ws'],
  workload: 'cpu',
  cpuRounds: 3,
  wsEngine: 'uws',
});
