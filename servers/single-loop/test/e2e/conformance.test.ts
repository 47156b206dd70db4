import { fileURLToPath } from 'node:url';
import { describeConformance, describeHttpConformance, describeTlsConformance } from '@c1m/server-contract/conformance';

describeConformance({
  name: 'single-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['ws'],
  wsEngine: 'uws',
});

describeHttpConformance({
  name: 'single-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  httpEngine: 'uws',
});

describeTlsConformance({
  name: 'single-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['ws', 'http'],
});
