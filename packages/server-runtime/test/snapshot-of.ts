// The counters of a test's listener as /stats reports them (shared by the TcpSession tests).
import { type StatsCounters, toServerStats } from '../src/stats-counters.ts';

/** The counters of one block as /stats reports them. */
export function snapshotOf(counters: StatsCounters) {
  const stats = toServerStats(counters.snapshot(), {
    architecture: 'test',
    pid: process.pid,
    processes: 1,
    threads: 1,
    startedAtMs: 0,
    fdLimit: 0,
    maxConnections: 0,
    rssBytes: 0,
    cpuSeconds: 0,
    observedPeak: 0,
  });
  return { ...stats, connectionsCurrent: stats.connections.current };
}
