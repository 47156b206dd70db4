// Builds /stats for a whole server: merges counter snapshots from every thread or process,
// samples the process tree for RSS and CPU, and remembers the highest concurrent total seen.
import { sampleProcessTree } from '@c1m/results';
import type { ArchitectureStats, ServerStats } from '@c1m/schema';
import { mergeSnapshots, snapshotConnections, toServerStats, type CounterSnapshot } from './stats-counters.ts';

/** Who is reporting and how to collect every source's counters. */
export interface StatsSources {
  architecture: string;
  processes: () => number;
  threads: number;
  fdLimit: number;
  maxConnections: number;
  /** Snapshots of every thread/process counter block. */
  collect: () => Promise<CounterSnapshot[]> | CounterSnapshot[];
  /** Servers with several loops: current connections of each, read after each collect. */
  connectionsBySource?: () => number[];
  /** The architecture's own counters, read after each collect. */
  architectureStats?: () => ArchitectureStats;
}

/** A stats() function over the given sources. */
export function createStatsReporter(sources: StatsSources): () => Promise<ServerStats> {
  const startedAtMs = Date.now();
  let observedPeak = 0;
  const observe = async () => {
    const merged = mergeSnapshots(await sources.collect());
    observedPeak = Math.max(observedPeak, snapshotConnections(merged));
    return merged;
  };
  // Several sources' peaks happen at different moments, so their sum overstates the true peak;
  // sampling the merged current every second catches the real one closely enough (each sample of
  // a prefork server wakes every child, so it is not taken more often).
  const timer = setInterval(() => void observe().catch(() => {}), 1000);
  timer.unref();
  return async () => {
    const merged = await observe();
    const tree = sampleProcessTree(process.pid);
    return toServerStats(merged, {
      architecture: sources.architecture,
      pid: process.pid,
      processes: sources.processes(),
      threads: sources.threads,
      startedAtMs,
      fdLimit: sources.fdLimit,
      maxConnections: sources.maxConnections,
      rssBytes: tree.rssBytes,
      cpuSeconds: tree.cpuSeconds,
      observedPeak,
      connectionsBySource: sources.connectionsBySource?.(),
      architectureStats: sources.architectureStats?.(),
    });
  };
}
