import { fileURLToPath } from 'node:url';
import { describeConformance } from '@c1m/server-contract/conformance';

describeConformance({
  name: 'conn-per-socket',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['tcp', 'ws'],
  wsEngine: 'ws',
});
