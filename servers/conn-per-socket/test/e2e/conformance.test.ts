import { fileURLToPath } from 'node:url';
import { describeConformance, describeHttpConformance, describeTlsConformance } from '@c1m/server-contract/conformance';

describeConformance({
  name: 'conn-per-socket',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['tcp', 'ws'],
  wsEngine: 'ws',
});

describeHttpConformance({
  name: 'conn-per-socket',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  httpEngine: 'node',
});

describeTlsConformance({
  name: 'conn-per-socket',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['tcp', 'ws', 'http'],
});
