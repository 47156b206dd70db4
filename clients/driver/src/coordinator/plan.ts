// How a run is split over shards: how many processes (each under the descriptor limit), which
// connections, addresses, ports and what share of the rates each one gets.
import { UsageError } from '@c1m/cli';
import { DEFAULT_NOFILE_LIMIT, readNofileLimit, readSysctl } from '@c1m/proc';
import type { ShardInit } from '../ipc/messages.ts';
import type { Options } from '../options/options.ts';
import { autoSourceIps, isLoopback } from '../options/values.ts';
import { httpRequestSpec } from './http-requests.ts';

/** Connections per automatically chosen loopback source address (a bound source has ~28K ephemeral ports). */
export const CONNECTIONS_PER_SOURCE_IP = 20_000;
/** Further local ports a connection tries after a clash on a bound source address. */
const PORT_RETRIES = 16;
/** Descriptors a shard keeps free for itself (IPC, stdio, timers, files). */
const FD_HEADROOM = 2000;

/** Most sockets one shard holds even when RLIMIT_NOFILE is unlimited. */
const MAX_SOCKETS_PER_SHARD = 1_000_000;

/** Largest number of sockets one shard may hold under this process's RLIMIT_NOFILE. */
export function socketsPerShard(): number {
  const { soft } = readNofileLimit() ?? DEFAULT_NOFILE_LIMIT;
  return Math.max(1, Math.min(soft - FD_HEADROOM, MAX_SOCKETS_PER_SHARD));
}

/** Sockets the scenario holds at once. */
export function socketsNeeded(options: Options): number {
  return options.scenario === 'short' ? options.concurrency : options.connections;
}

/** The shard count: --shards, or enough that each stays under the descriptor limit. */
export function shardCount(options: Options): number {
  const perShard = socketsPerShard();
  const sockets = socketsNeeded(options);
  if (options.shards === 0) return Math.max(1, Math.ceil(sockets / perShard));
  if (Math.ceil(sockets / options.shards) > perShard) {
    throw new UsageError(
      `--shards ${options.shards}: ${Math.ceil(sockets / options.shards)} sockets per shard exceed ` +
        `the ${perShard} a process may hold here (RLIMIT_NOFILE); use --shards ${Math.ceil(sockets / perShard)} ` +
        `or more, or 0 for auto`,
    );
  }
  return options.shards;
}

/** Source addresses: --source-ips, or one loopback address per 20,000 connections above 20,000. */
export function sourceIpsFor(options: Options): string[] {
  if (options.sourceIps.length > 0) return options.sourceIps;
  const sockets = socketsNeeded(options);
  if (
    sockets > CONNECTIONS_PER_SOURCE_IP &&
    options.targets.every((t) => isLoopback(t.host) && !t.host.includes(':'))
  ) {
    return autoSourceIps(sockets, CONNECTIONS_PER_SOURCE_IP);
  }
  return [];
}

function ephemeralRange(): { first: number; last: number } {
  const [first, last] = (readSysctl('net.ipv4.ip_local_port_range') ?? '32768 60999').split(/\s+/).map(Number);
  return { first: first!, last: last! };
}

/** One ShardInit per shard: the slices 0 … shards-1 of shardSlice. */
export function planShards(options: Options, shards: number, progress: boolean): ShardInit[] {
  return Array.from({ length: shards }, (_, index) => shardSlice(options, index, shards, progress));
}

/**
 * Slice `index` of `shards`: its connections (a contiguous run of global connection indices, on
 * which targets and source addresses rotate), its local ports and its share of the connect rate.
 * The one slicing function: the local coordinator takes every slice, a pod (--shard-index I
 * --shard-count K) takes slice I, so K pods together open exactly what one coordinator would.
 */
export function shardSlice(options: Options, index: number, shards: number, progress: boolean): ShardInit {
  const total = socketsNeeded(options);
  const sourceIps = sourceIpsFor(options);
  // Bound sources get explicit ports (see PoolSettings.localPorts); so does short --reuseport.
  const ports =
    sourceIps.length > 0 || (options.scenario === 'short' && options.reuseport) ? ephemeralRange() : undefined;
  if (ports && sourceIps.length > 0 && total / sourceIps.length > ports.last - ports.first + 1) {
    const need = Math.ceil(total / (ports.last - ports.first + 1));
    throw new UsageError(
      `--source-ips: ${sourceIps.length} addresses give ${ports.last - ports.first + 1} local ports each, too ` +
        `few for ${total} connections; give at least ${need}`,
    );
  }
  const base = Math.floor(total / shards);
  const extra = total % shards;
  const connections = base + (index < extra ? 1 : 0);
  return {
    index,
    shards,
    connections,
    connectRate: options.connectRate > 0 ? (options.connectRate * connections) / total : 0,
    minFreeBytes: options.minFreeMemoryBytes,
    pool: {
      targets: options.targets,
      sourceIps,
      // The shards before this one hold base + 1 connections each up to `extra`, base after.
      firstIndex: index * base + Math.min(index, extra),
      maxFrameBytes: options.maxFrameBytes,
      connectTimeoutUs: options.connectTimeoutMs * 1000,
      timeoutCoversExchange: options.scenario === 'short',
      localPorts: ports && { first: ports.first + index, last: ports.last, step: shards },
      portRetries: options.scenario === 'short' ? 0 : PORT_RETRIES,
    },
    requests: {
      transport: options.targets[0]!.transport,
      workload: options.workload,
      cpuRounds: options.cpuRounds,
      size: options.size,
      wsPingFrames: options.scenario === 'hold' && options.pingKind === 'ws-ping',
      ...(options.targets[0]!.transport === 'http' ? { http: httpRequestSpec(options) } : {}),
    },
    progress,
  };
}
