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
  /** Largest |same-code ratio − 1| between repetitions of A and of B; undefined with one repetition per side. */
  noise?: number;
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

/**
 * Judges B against A. `a` and `b` are the repetitions of each side in time order; round i pairs
 * a[i] with b[i] (the closest in time when the runs were interleaved A B A B).
 */
export function judge(a: number[], b: number[], floor = NOISE_FLOOR): Judgement | undefined {
  const rounds = Math.min(a.length, b.length);
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) if (a[i]! > 0) ratios.push(b[i]! / a[i]!);
  if (ratios.length === 0) return undefined;
  const same = [...sameCodeRatios(a), ...sameCodeRatios(b)];
  const noise = same.length > 0 ? Math.max(...same.map((r) => Math.abs(r - 1))) : undefined;
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
    threshold,
    notable: Math.abs(ratio - 1) >= threshold && (minRatio > 1 || maxRatio < 1),
  };
}
