// The figures issue 6 asks of each bench:c1m case, computed from the case result (driver output,
// server samples) and the kernel readings taken around it.
import type { CaseResult } from '../model/case-result.ts';
import { cpuWhileFull, fullest, type CpuSplit, type KernelMemory } from './kernel-memory.ts';
import { pingCostWhileFull, type PingCost } from './ping-cost.ts';

/** One case's answer, numbers with units in their names. */
export interface C1mFigures {
  case: string;
  server: string;
  transport: string;
  passed: boolean;
  failures: string[];
  requestedConnections: number;
  heldConnections: number;
  failedConnections: number;
  /** Why the ramp stopped early (the driver's free-memory guard), if it did. */
  rampStoppedReason?: string;
  /** What the server's process model allows here (its ready line). */
  serverMaxConnections?: number;
  serverProcesses?: number;
  connectRatePerSecond: number;
  connectSeconds: number;
  connectP50Us: number;
  connectP99Us: number;
  pingRounds: Array<{ atSeconds: number; answered: number; missed: number }>;
  pingRttP50Us: number;
  pingRttP99Us: number;
  pingRttMaxUs: number;
  /** Server RSS before the load, per process, and what each held connection added. */
  serverBaselineBytesPerProcess: number;
  serverBytesPerConnection: number;
  driverShards: number;
  driverBaselineBytesPerShard: number;
  driverBytesPerConnection: number;
  /** Slab + TCP buffer growth at the fullest moment over held connections (both ends). */
  kernelBytesPerConnection: number;
  kernelSlabBytesBefore: number;
  kernelSlabBytesFull: number;
  memAvailableBytesBefore: number;
  /** Lowest MemAvailable seen during the case: the headroom that was left. */
  memAvailableBytesMin: number;
  /** Average cores busy over the load window (ramp + hold). */
  serverCpuCores: number;
  driverCpuCores: number;
  /** The whole machine while every connection was held: user code, kernel, softirq (loopback receive), idle. */
  machineCpuWhileFull: CpuSplit;
  /** Pings answered per second and CPU per ping on each side while every connection was held and pinged. */
  pingCostWhileFull?: PingCost;
  wallSeconds: number;
}

const per = (bytes: number, n: number) => (n > 0 ? Math.round(bytes / n) : 0);

/** Computes the figures of one case. */
export function c1mFigures(result: CaseResult, readings: readonly KernelMemory[]): C1mFigures {
  const d = result.driver;
  const held = d?.connections.established ?? 0;
  const before = readings[0]!;
  const full = fullest(readings);
  const processes = Number(result.server.ready?.processes ?? 1);
  const shardBaselines = d?.driver.rssBytesBaseline ?? 0;
  const shards = d?.driver.shards ?? 0;
  const loadSeconds = result.load.seconds || 1;
  return {
    case: result.case.key,
    server: result.case.server,
    transport: result.case.transport,
    passed: result.status === 'passed',
    failures: result.failures,
    requestedConnections: d?.connections.requested ?? result.case.connections,
    heldConnections: held,
    failedConnections: d?.connections.failed ?? 0,
    ...(d?.connections.rampStoppedReason ? { rampStoppedReason: d.connections.rampStoppedReason } : {}),
    serverMaxConnections: result.server.ready?.maxConnections,
    serverProcesses: processes,
    connectRatePerSecond: d && d.connections.connectSeconds > 0 ? Math.round(held / d.connections.connectSeconds) : 0,
    connectSeconds: d?.connections.connectSeconds ?? 0,
    connectP50Us: d?.connectTimeUs.p50Us ?? 0,
    connectP99Us: d?.connectTimeUs.p99Us ?? 0,
    pingRounds: d?.hold?.rounds ?? [],
    pingRttP50Us: d?.hold?.pingRttUs.p50Us ?? 0,
    pingRttP99Us: d?.hold?.pingRttUs.p99Us ?? 0,
    pingRttMaxUs: d?.hold?.pingRttUs.maxUs ?? 0,
    serverBaselineBytesPerProcess: per(result.load.serverRssBytesIdle, processes),
    serverBytesPerConnection: per(result.load.serverRssBytesPeak - result.load.serverRssBytesIdle, held),
    driverShards: shards,
    driverBaselineBytesPerShard: per(shardBaselines, shards),
    driverBytesPerConnection: d?.driver.rssBytesPerConnection ?? 0,
    kernelBytesPerConnection: per(
      full.slabBytes + full.tcpBufferBytes - before.slabBytes - before.tcpBufferBytes,
      held,
    ),
    kernelSlabBytesBefore: before.slabBytes,
    kernelSlabBytesFull: full.slabBytes,
    memAvailableBytesBefore: before.memAvailableBytes,
    memAvailableBytesMin: Math.min(...readings.map((r) => r.memAvailableBytes)),
    serverCpuCores: Math.round((result.load.serverCpuSeconds / loadSeconds) * 100) / 100,
    driverCpuCores: Math.round((result.load.driverCpuSeconds / loadSeconds) * 100) / 100,
    machineCpuWhileFull: cpuWhileFull(readings),
    pingCostWhileFull: pingCostWhileFull(result.samples),
    wallSeconds: result.wallSeconds,
  };
}
