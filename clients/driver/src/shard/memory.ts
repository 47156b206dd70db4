// Resident memory as the shard reports it: after a full GC (shards run with --expose-gc), so
// bytes per connection reflect what is live, not garbage waiting for the collector.
/** RSS in bytes after a full garbage collection when one can be forced. */
export function settledRssBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage.rss();
}
