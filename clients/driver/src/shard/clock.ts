// The shard's clock: µs from performance.now(), and a precise wait for open-loop sends.
// Timers wake late (setTimeout by ~0.1-1 ms, a futex wait by ~0.1 ms), and under open loop that
// lateness would be charged to the server as latency measured from the scheduled send time.
import { performance } from 'node:perf_hooks';

/** Monotonic microseconds (fractional) since this process started. */
export function nowUs(): number {
  return performance.now() * 1000;
}

/** performance.timeOrigin in µs: fixed for the process, and a getter call each time it is read. */
const TIME_ORIGIN_US = performance.timeOrigin * 1000;

/** Microseconds since the Unix epoch for a nowUs() reading: the opaque send time put in bodies. */
export function epochUs(monoUs: number): number {
  return Math.floor(TIME_ORIGIN_US + monoUs);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The futex wait overshoots by ~50-100 µs (timer slack): wake this early and spin the rest. */
const SPIN_US = 200;

/**
 * Blocks the thread until `targetUs` (nowUs clock): sleeps until SPIN_US before it, then spins.
 * Only for short gaps (< ~2 ms) while nothing is in flight, since it stalls the event loop.
 */
export function blockUntilUs(targetUs: number): void {
  const sleepUs = targetUs - nowUs() - SPIN_US;
  if (sleepUs > 0) Atomics.wait(sleeper, 0, 0, sleepUs / 1000);
  while (nowUs() < targetUs) {
    // spin: the last ~200 µs, where no timer is precise enough
  }
}

/** Converts a Date.now() deadline sent by the coordinator into this process's nowUs clock. */
export function epochMsToNowUs(epochMs: number): number {
  return nowUs() + (epochMs - Date.now()) * 1000;
}
