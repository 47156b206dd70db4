// Publishes this thread's event-loop delay p99 (over the last second) into its counters.
// The monitor's timer wakes the loop once per resolution: at 10 ms, sixty idle prefork children
// burned a quarter of a core here doing nothing else, so it samples every 50 ms.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { StatsCounters } from './stats-counters.ts';

const SAMPLE_MS = 50;

/** Starts sampling; returns a stop function. The timer is unref'd so it never keeps a loop alive. */
export function watchEventLoopDelay(counters: StatsCounters): () => void {
  const histogram = monitorEventLoopDelay({ resolution: SAMPLE_MS });
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
