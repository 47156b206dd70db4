// Assembles the RunningServer of a server from its pieces: the listener's port and drain, the
// threads' or children's counters, the workload handler to release. Keeps server files to their design.
import { connectionBudget, readFdLimit } from './fd-budget.ts';
import type { RunningServer } from '@c1m/server-contract';
import type { ArchitectureStats } from '@c1m/schema';
import type { CounterSnapshot } from './stats-counters.ts';
import { createStatsReporter } from './stats-reporter.ts';
import type { WorkloadHandler } from './workload-handler.ts';

/** The parts a one-process server is made of. */
export interface SingleProcessParts {
  architecture: string;
  port: number;
  threads: number;
  /** Counter snapshots of every thread. */
  collect: () => Promise<CounterSnapshot[]> | CounterSnapshot[];
  /** Stops accepting and drains every listener/thread. */
  drain: (deadlineMs: number) => Promise<{ forced: boolean }>;
  handler?: WorkloadHandler;
  /** Called after the drain (stop timers, terminate threads). */
  dispose?: () => Promise<void> | void;
  /** Servers with several loops: current connections of each, for /stats. */
  connectionsBySource?: () => number[];
  /** The architecture's own counters for /stats (prefork: childRestarts, anchorHandovers). */
  architectureStats?: () => ArchitectureStats;
}

/** The connection budget of this process (what its fd limit allows). */
export function processBudget(): number {
  return connectionBudget(readFdLimit().soft);
}

/** Builds the RunningServer handle. */
export function singleProcessServer(parts: SingleProcessParts): RunningServer {
  return assembleServer(parts, { processes: () => 1, maxConnections: processBudget() });
}

/** The parts of a server spread over child processes (prefork), as its primary process sees them. */
export interface MultiProcessParts extends SingleProcessParts {
  /** Processes running now, the primary included. */
  processes: () => number;
  /** Connections every child together may hold (children × per-child budget). */
  maxConnections: number;
}

/** Builds the RunningServer handle of a multi-process server; `collect` gathers every child's counters. */
export function multiProcessServer(parts: MultiProcessParts): RunningServer {
  return assembleServer(parts, parts);
}

function assembleServer(
  parts: SingleProcessParts,
  shape: { processes: () => number; maxConnections: number },
): RunningServer {
  const { maxConnections } = shape;
  return {
    port: parts.port,
    maxConnections,
    processes: shape.processes(),
    threads: parts.threads,
    stats: createStatsReporter({
      architecture: parts.architecture,
      processes: shape.processes,
      threads: parts.threads,
      fdLimit: readFdLimit().soft,
      maxConnections,
      collect: parts.collect,
      connectionsBySource: parts.connectionsBySource,
      architectureStats: parts.architectureStats,
    }),
    close: async (deadlineMs) => {
      const result = await parts.drain(deadlineMs);
      await parts.handler?.close();
      await parts.dispose?.();
      return result;
    },
  };
}
