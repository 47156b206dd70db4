// The shared conformance suite against both styles over both transports, io workload.
import { fileURLToPath } from 'node:url';
import { describeConformance } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

for (const style of ['loop', 'per-connection'] as const) {
  describeConformance({
    name: `io-bound --style ${style}`,
    packageDir,
    transports: ['tcp', 'ws'],
    args: ['--style', style],
    workload: 'io',
    // per-connection serves ws through the `ws` library (conn-per-socket), loop through uWS.
    wsEngine: style === 'per-connection' ? 'ws' : 'uws',
  });
}
