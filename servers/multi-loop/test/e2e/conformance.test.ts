import { fileURLToPath } from 'node:url';
import { describeConformance, describeHttpConformance, describeTlsConformance } from '@c1m/server-contract/conformance';

describeConformance({
  name: 'multi-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['ws'],
  args: ['--workers', '2'],
  wsEngine: 'uws',
});

describeHttpConformance({
  name: 'multi-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  args: ['--workers', '2'],
  httpEngine: 'uws',
});

describeTlsConformance({
  name: 'multi-loop',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['http'],
  args: ['--workers', '2'],
});
