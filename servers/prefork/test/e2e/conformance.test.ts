import { fileURLToPath } from 'node:url';
import { describeConformance, describeHttpConformance, describeTlsConformance } from '@c1m/server-contract/conformance';

describeConformance({
  name: 'prefork',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['ws', 'tcp'],
  args: ['--workers', '2'],
  wsEngine: 'uws',
});

describeHttpConformance({
  name: 'prefork',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  args: ['--workers', '2'],
  httpEngine: 'uws',
});

describeTlsConformance({
  name: 'prefork',
  packageDir: fileURLToPath(new URL('../..', import.meta.url)),
  transports: ['ws', 'http', 'tcp'],
  args: ['--workers', '2'],
});
