// Resident memory as the shard reports it: after a full GC (shards run with --expose-gc), so
// bytes per connection reflect what is live, not garbage waiting for the collector; and the
// machine's available memory, which a ramp checks so it stops before the OOM killer would.
import { readFileSync } from 'node:fs';

/** The kernel's estimate of memory available without swapping (MemAvailable), in bytes. */
export function memAvailableBytes(): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'latin1'));
  return m ? Number(m[1]) * 1024 : Number.POSITIVE_INFINITY;
}

/** RSS in bytes after a full garbage collection when one can be forced. */
export function settledRssBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage.rss();
}
