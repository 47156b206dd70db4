// Prefork: N processes, each with its own event loop, all serving one port — uWS with
// SO_REUSEPORT for ws (the kernel spreads connections), node:cluster for tcp (one listening
// socket every child accepts from; a child at its budget pauses and leaves it to the others).
// The primary starts the children, restarts one that dies, gathers /stats from them over IPC
// and drains them on SIGTERM.
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { multiProcessServer, processBudget } from '@c1m/server-runtime';
import { ChildPool } from './child-pool.ts';

export const spec = specFromPackage(pkg, true);

/** prefork's own /stats counters (`architectureStats`). */
export type PreforkStats = {
  /** Children that died unexpectedly and were replaced. */
  childRestarts: number;
  /** tcp only: times the child that must keep accepting (the anchor) was handed to another. */
  anchorHandovers?: number;
};

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const pool = new ChildPool(options, options.workers);
  const port = await pool.start();
  return multiProcessServer({
    architecture: spec.name,
    port,
    threads: 1,
    processes: () => pool.processes,
    // Children inherit the primary's descriptor limit, so each has the same budget.
    maxConnections: options.workers * processBudget(),
    collect: () => pool.collect(),
    connectionsBySource: () => pool.connectionsByChild(),
    architectureStats: (): PreforkStats => ({ childRestarts: pool.restarts, anchorHandovers: pool.anchorHandovers }),
    drain: (deadlineMs) => pool.drain(deadlineMs),
  });
}
