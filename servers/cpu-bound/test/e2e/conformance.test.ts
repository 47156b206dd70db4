// The shared conformance suite against both styles over both transports, cpu workload.
import { fileURLToPath } from 'node:url';
import { describeConformance } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

for (const style of ['loop', 'offload'] as const) {
  describeConformance({
    name: `cpu-bound --style ${style}`,
    packageDir,
    transports: ['tcp', 'ws'],
    args: ['--style', style, '--workers', '2'],
    workload: 'cpu',
    cpuRounds: 3,
    wsEngine: 'uws',
  });
}
