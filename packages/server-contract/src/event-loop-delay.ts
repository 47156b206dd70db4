// Publishes this thread's event-loop delay p99 (over the last second) into its counters.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { StatsCounters } from './stats.ts';

/** Starts sampling; returns a stop function. The timer is unref'd so it never keeps a loop alive. */
export function watchEventLoopDelay(counters: StatsCounters): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    counters.setEventLoopDelayP99Ms(histogram.percentile(99) / 1e6);
    histogram.reset();
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
