// Assembles the RunningServer of a one-process server from its pieces: the listener's port and
// drain, the threads' counters, the workload handler to release. Keeps server files to their design.
import { connectionBudget, readFdLimit } from './fd-budget.ts';
import type { RunningServer } from './options.ts';
import type { CounterSnapshot } from './stats.ts';
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
}

/** The connection budget of this process (what its fd limit allows). */
export function processBudget(): number {
  return connectionBudget(readFdLimit().soft);
}

/** Builds the RunningServer handle. */
export function singleProcessServer(parts: SingleProcessParts): RunningServer {
  const maxConnections = processBudget();
  return {
    port: parts.port,
    maxConnections,
    processes: 1,
    threads: parts.threads,
    stats: createStatsReporter({
      architecture: parts.architecture,
      processes: () => 1,
      threads: parts.threads,
      fdLimit: readFdLimit().soft,
      maxConnections,
      collect: parts.collect,
    }),
    close: async (deadlineMs) => {
      const result = await parts.drain(deadlineMs);
      await parts.handler?.close();
      await parts.dispose?.();
      return result;
    },
  };
}
