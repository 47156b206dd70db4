// Which readings of a case count as "while every connection was held": the first and the last
// whose connection count is within 2% of the most seen. The machine's CPU split and the cost of
// a ping are both measured over this window, so they describe the same stretch of the hold.

/** Share of the peak at which a reading counts as full. */
const FULL_SHARE = 0.98;

/** The first and last item at ≥ 98% of the highest `level`; undefined when there are none. */
export function fullWindow<T>(items: readonly T[], level: (item: T) => number): { first: T; last: T } | undefined {
  const peak = Math.max(0, ...items.map(level));
  const full = items.filter((item) => peak > 0 && level(item) >= FULL_SHARE * peak);
  return full.length === 0 ? undefined : { first: full[0]!, last: full.at(-1)! };
}
