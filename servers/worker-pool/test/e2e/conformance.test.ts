// The shared conformance suite against the reactor: echo (every frame still crosses to a worker
// and back), the cpu workload it exists for, and http, whose every body a worker computes.
import { fileURLToPath } from 'node:url';
import { describeConformance, describeHttpConformance, describeTlsConformance } from '@c1m/server-contract/conformance';

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

describeHttpConformance({
  name: 'worker-pool',
  packageDir,
  args: ['--workers', '2'],
  httpEngine: 'uws',
  asyncReplies: true,
});

describeTlsConformance({ name: 'worker-pool', packageDir, transports: ['ws', 'http'], args: ['--workers', '2'] });
