// The ping cost of the ws million of 3 December 2026 (CPU-µs per ping, kernel part), as bench:c1m
// measured it: a fixture for the tests of what it prints and concludes from it.
import type { PingCost } from '../../src/c1m/ping-cost.ts';

export const WS_MILLION_COST: PingCost = {
  seconds: 100,
  pingsPerSecond: 22_922,
  serverCores: 0.48,
  driverCores: 0.96,
  serverCpuUsPerPing: 21.1,
  driverCpuUsPerPing: 41.9,
  serverKernelUsPerPing: 16.9,
  driverKernelUsPerPing: 22.2,
};
