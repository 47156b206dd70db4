// Records latencies into an HdrHistogram at a fraction of hdr-histogram-js's cost per value.
// Its recordValue computes the bucket with Math.log2 and two Math.pow calls (~150 ns a value on
// Node 20, two values per reply in the load generator); here the bucket index of createHistogram()'s
// layout is found with Math.clz32 and counted in a plain array, and flush() moves the counts into
// the histogram, one recordValueWithCount per non-empty bucket. Counts, percentiles and the
// bucket-aligned min/max that summarizeHistogram reports come out identical to recording each
// value directly (the test checks the encodings are byte-identical).
import type { LatencyHistogram } from './histogram.ts';

/**
 * createHistogram()'s layout: 3 significant digits at 1 µs give 2048 sub-buckets, half of them per
 * bucket above the first.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
/** Values from here on (2^27 µs, ~134 s) go straight to the histogram; below, their buckets fit in the array. */
const FAST_LIMIT_BITS = 27;
const FAST_LIMIT = 2 ** FAST_LIMIT_BITS;
/** Buckets 0 … FAST_LIMIT_BITS - 11, each indexed by its upper half of sub-buckets past the first 1024 slots. */
const SLOTS = (FAST_LIMIT_BITS - SUB_BUCKET_HALF_MAGNITUDE + 1) * SUB_BUCKET_HALF_COUNT;

/** The histogram's counts index of a value below FAST_LIMIT (HdrHistogram's countsArrayIndex at unit magnitude 0). */
function slotOf(value: number): number {
  // getBucketIndex: floor(log2(value)) - 10, at least 0; getSubBucketIndex: value >> bucket.
  const bucket = value < 2 * SUB_BUCKET_HALF_COUNT ? 0 : 31 - Math.clz32(value) - SUB_BUCKET_HALF_MAGNITUDE;
  return (bucket << SUB_BUCKET_HALF_MAGNITUDE) + (value >>> bucket);
}

/** The lowest value of a slot (HdrHistogram's valueFromIndex). */
function valueOfSlot(slot: number): number {
  let bucket = (slot >>> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (slot & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/**
 * A cheap front for one histogram made by createHistogram(). record() on the hot path, flush()
 * before reading or encoding the histogram. The count array is allocated on the first record, so
 * an idle recorder costs nothing.
 */
export class LatencyRecorder {
  private counts: Float64Array | null = null;
  /** Lowest and highest slot counted since the last flush (the flush scans only that range). */
  private low = SLOTS;
  private high = -1;

  constructor(readonly histogram: LatencyHistogram) {}

  /** Records one latency in µs; fractions are rounded and negative clock noise counts as 0 (as recordUs). */
  record(us: number): void {
    const value = us > 0 ? Math.round(us) : 0;
    if (value >= FAST_LIMIT) {
      this.histogram.recordValue(value);
      return;
    }
    const slot = slotOf(value);
    const counts = (this.counts ??= new Float64Array(SLOTS));
    counts[slot]! += 1;
    if (slot < this.low) this.low = slot;
    if (slot > this.high) this.high = slot;
  }

  /** Moves the counts recorded so far into the histogram and returns it. */
  flush(): LatencyHistogram {
    const counts = this.counts;
    if (counts === null || this.high < 0) return this.histogram;
    for (let slot = this.low; slot <= this.high; slot++) {
      const n = counts[slot]!;
      if (n === 0) continue;
      counts[slot] = 0;
      this.histogram.recordValueWithCount(valueOfSlot(slot), n);
    }
    this.low = SLOTS;
    this.high = -1;
    return this.histogram;
  }
}
