// Timing loop for the codec benchmark: warm up, then several fixed-length rounds, reporting the
// median rate and the min/max spread so noise is visible next to every figure.
import { performance } from 'node:perf_hooks';

/** Frames per second of one case: median over rounds, with the spread. */
export interface Rate {
  framesPerSecond: number;
  framesPerSecondMin: number;
  framesPerSecondMax: number;
  rounds: number;
}

/**
 * Calls `batch` (which processes some frames and returns how many) repeatedly: `warmupMs` first,
 * unmeasured, so the JIT settles; then `rounds` rounds of at least `roundMs` each.
 */
export function measure(batch: () => number, rounds: number, roundMs: number, warmupMs: number): Rate {
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) batch();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let frames = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      frames += batch();
      elapsed = performance.now() - start;
    } while (elapsed < roundMs);
    rates.push((frames * 1000) / elapsed);
  }
  rates.sort((a, b) => a - b);
  return {
    framesPerSecond: Math.round(rates[Math.floor(rates.length / 2)]!),
    framesPerSecondMin: Math.round(rates[0]!),
    framesPerSecondMax: Math.round(rates[rates.length - 1]!),
    rounds,
  };
}
