// What bench:c1m prints after each case: how the hold went, what one ping cost each side, and
// whether a side ran out of CPU for its rounds.
import { formatGib } from '../report/format.ts';
import type { C1mFigures } from './figures.ts';
import { cpuShortSides, kernelPart, MEDIAN_STRETCH_SECONDS, type PingCost } from './ping-cost.ts';

const kbPerConn = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB/conn`;

/** Passed or failed, what was held, the ping p99 and each side's memory per connection. */
export function heldLine(f: C1mFigures): string {
  return (
    `    ${f.passed ? 'passed' : `FAILED (${f.failures.join('; ')})`}: ` +
    `held ${f.heldConnections.toLocaleString('en-US')} in ${f.connectSeconds.toFixed(1)}s, ping ` +
    `p99 ${(f.pingRttP99Us / 1000).toFixed(1)} ms, server ${kbPerConn(f.serverBytesPerConnection)}, load ` +
    `generator ${kbPerConn(f.driverBytesPerConnection)}, kernel ${kbPerConn(f.kernelBytesPerConnection)}, lowest ` +
    `MemAvailable ${formatGib(f.memAvailableBytesMin)}`
  );
}

/** Each side's CPU-µs per ping (kernel part) while every connection was held. */
export function pingCostLine(cost: PingCost): string {
  return (
    `    each ping cost the server ${cost.serverCpuUsPerPing} CPU-µs${kernelPart(cost.serverKernelUsPerPing)} ` +
    `and the load generator ${cost.driverCpuUsPerPing} CPU-µs${kernelPart(cost.driverKernelUsPerPing)} ` +
    `(${cost.pingsPerSecond.toLocaleString('en-US')} pings/s over ` +
    `${cost.seconds}s while every connection was held and pinged)` +
    (cost.serverMedianUsPerPing === undefined
      ? ''
      : `; median of ${MEDIAN_STRETCH_SECONDS}-s stretches: server ${cost.serverMedianUsPerPing}, ` +
        `load generator ${cost.driverMedianUsPerPing}`)
  );
}

/**
 * The sides that needed more cores than they were pinned to for every ping of a round, as a note
 * naming the case; undefined when both had enough.
 */
export function cpuLimitVerdict(
  caseKey: string,
  cost: PingCost,
  pingsPerSecondDue: number,
  cores: { server: number; load: number },
): string | undefined {
  const short = cpuShortSides(cost, pingsPerSecondDue, cores);
  return short.length > 0
    ? `${caseKey}: ${short.join('; ')}, so its rounds could not all be answered in time`
    : undefined;
}
