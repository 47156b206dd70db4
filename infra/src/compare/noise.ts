// The noise rule of compare, after uWebSockets.js's benchmark/compare.js: a change is notable
// only when the median of the per-round B/A ratios moved further from 1 than the same code moved
// between its own repetitions, and at least FLOOR, and every round moved the same way.
import { median } from '../model/metrics.ts';

/** Nothing is flagged below this change, whatever the measured noise. */
export const NOISE_FLOOR = 0.02;

/** The judgement on one metric of one case. */
export interface Judgement {
  /** Median of B_i / A_i over the paired rounds. */
  ratio: number;
  minRatio: number;
  maxRatio: number;
  rounds: number;
  /** Largest |same-code ratio − 1| between repetitions of A and of B (or the fallback); undefined when unmeasured. */
  noise?: number;
  /** Where the noise came from: this case's own repetitions, the fallback (the C baseline's), or nowhere. */
  noiseSource: 'repetitions' | 'baseline' | 'unmeasured';
  /** max(noise, floor): what the change had to exceed. */
  threshold: number;
  notable: boolean;
}

/** Same-code ratios: each repetition over the one before it, within one side. */
export function sameCodeRatios(values: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) if (values[i - 1]! > 0) out.push(values[i]! / values[i - 1]!);
  return out;
}

/** The largest |same-code ratio − 1| over several series of repetitions; undefined without pairs. */
export function spread(series: number[][]): number | undefined {
  const same = series.flatMap(sameCodeRatios);
  return same.length > 0 ? Math.max(...same.map((r) => Math.abs(r - 1))) : undefined;
}

/**
 * Judges B against A. `a` and `b` are the repetitions of each side in time order; round i pairs
 * a[i] with b[i] (the closest in time when the runs were interleaved A B A B). `fallbackNoise`
 * stands in when neither side has two repetitions (the spread of the C baseline's repeated cases:
 * the same code every time, so what it moved is the machine's and the driver's noise).
 */
export function judge(a: number[], b: number[], floor = NOISE_FLOOR, fallbackNoise?: number): Judgement | undefined {
  const rounds = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) if (a[i]! > 0) ratios.push(b[i]! / a[i]!);
  if (ratios.length === 0) return undefined;
  const own = spread([a, b]);
  const noise = own ?? fallbackNoise;
  const noiseSource = own !== undefined ? 'repetitions' : fallbackNoise !== undefined ? 'baseline' : 'unmeasured';
  const threshold = Math.max(noise ?? 0, floor);
  const ratio = median(ratios)!;
  const minRatio = Math.min(...ratios);
  const maxRatio = Math.max(...ratios);
  return {
    ratio,
    minRatio,
    maxRatio,
    rounds: ratios.length,
    noise,
    noiseSource,
    threshold,
    notable: Math.abs(ratio - 1) >= threshold && (minRatio > 1 || maxRatio < 1),
  };
}
