// Latency histograms as they travel between load-generator shards, result files and reports:
// HdrHistograms at 1 µs resolution, encoded as compressed base64 so that shards and machines
// merge exactly (counts are added bucket by bucket, never percentiles averaged), summarized into
// LatencySummaryUs and into the TcpMotor bucket table.
//
// Only the plain-JS histogram and its V2 encoding are loaded from hdr-histogram-js, not its index:
// the index also loads the WebAssembly build and its loader, ~7 MB of RSS in every process that
// records (a million connections take ~56 load-generator shards).
import type { Histogram } from 'hdr-histogram-js';
import * as float64Module from 'hdr-histogram-js/dist/Float64Histogram.js';
import * as encodingModule from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import type { LatencyBuckets, LatencySummaryUs } from '@c1m/schema';

/** A latency histogram in µs (plain-JS HdrHistogram, 64-bit counts, 3 significant digits). */
export type LatencyHistogram = Histogram;

/**
 * The default export of a CommonJS module, however it was imported: Node's ESM loader hands
 * over module.exports (whose `default` is the export), a bundler hands over the export itself.
 */
function cjsDefault<T>(namespace: unknown): T {
  const outer = (namespace as { default?: { default?: unknown } }).default;
  return (outer?.default ?? outer) as T;
}

type HistogramClass = new (
  lowest: number,
  highest: number,
  digits: number,
) => LatencyHistogram & { autoResize: boolean };
const Float64Histogram = cjsDefault<HistogramClass>(float64Module);
/** Loading the encoding module also installs encodeIntoCompressedBase64 on every JS histogram. */
const { decompress, doDecode } = encodingModule;

/** Highest value tracked before the histogram grows: one hour in µs (auto-resize beyond). */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** A new, empty µs histogram. 64-bit counts: merged runs can pass 2^32 in one bucket. */
export function createHistogram(): LatencyHistogram {
  const histogram = new Float64Histogram(1, HIGHEST_TRACKABLE_US, 3);
  histogram.autoResize = true;
  return histogram;
}

/** Records one latency; fractions are rounded to the µs and negative clock noise to 0. */
export function recordUs(histogram: LatencyHistogram, us: number): void {
  histogram.recordValue(us > 0 ? Math.round(us) : 0);
}

/** HdrHistogram's compressed base64 encoding (the format of autocannon and HdrHistogram tools). */
export function encodeHistogram(histogram: LatencyHistogram): string {
  return (histogram as LatencyHistogram & { encodeIntoCompressedBase64(): string }).encodeIntoCompressedBase64();
}

/** Decodes `encodeHistogram` output. An empty string decodes to an empty histogram. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  if (encoded === '') return createHistogram();
  const decoded = doDecode(decompress(Buffer.from(encoded.trim(), 'base64')), 64) as unknown as LatencyHistogram;
  // Re-home into a standard histogram so every merged result has the same layout.
  const out = createHistogram();
  out.add(decoded);
  return out;
}

/** Exact merge: a new histogram holding the counts of all inputs (histograms or encodings). */
export function mergeHistograms(parts: Iterable<LatencyHistogram | string>): LatencyHistogram {
  const out = createHistogram();
  for (const part of parts) out.add(typeof part === 'string' ? decodeHistogram(part) : part);
  return out;
}

/**
 * Percentiles of a histogram; all zeros when it is empty. Like every HdrHistogram figure,
 * values above 2048 µs are exact to 0.1% (the max is the top of its bucket).
 */
export function summarizeHistogram(histogram: LatencyHistogram): LatencySummaryUs {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, minUs: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, p999Us: 0, maxUs: 0 };
  const js = histogram as unknown as JsHistogramInternals;
  // Bucket-aligned extremes, so a histogram and its decoded copy summarize identically.
  // minNonZeroValue skips recorded zeros (sub-µs round trips): index 0 holds those.
  return {
    count,
    minUs: js.getCountAtIndex(0) > 0 ? 0 : js.lowestEquivalentValue(histogram.minNonZeroValue),
    meanUs: Math.round(histogram.mean * 10) / 10,
    p50Us: histogram.getValueAtPercentile(50),
    p90Us: histogram.getValueAtPercentile(90),
    p99Us: histogram.getValueAtPercentile(99),
    p999Us: histogram.getValueAtPercentile(99.9),
    maxUs: js.highestEquivalentValue(histogram.maxValue),
  };
}

/** One row of the TcpMotor table: values in [fromUs, toUs) count towards `name`. */
interface BucketRange {
  name: string;
  fromUs: number;
  toUs: number;
}

/** The TcpMotor latency ranges, in report order (average and sumCount are appended). */
export const BUCKET_RANGES: readonly BucketRange[] = (() => {
  const rows: BucketRange[] = [
    { name: 'us0_499', fromUs: 0, toUs: 500 },
    { name: 'us500_999', fromUs: 500, toUs: 1000 },
    { name: 'ms1_9', fromUs: 1000, toUs: 10_000 },
  ];
  for (let ms = 10; ms < 100; ms += 10)
    rows.push({ name: `ms${ms}_${ms + 9}`, fromUs: ms * 1000, toUs: (ms + 10) * 1000 });
  for (let ms = 100; ms < 1000; ms += 100)
    rows.push({ name: `ms${ms}_${ms + 99}`, fromUs: ms * 1000, toUs: (ms + 100) * 1000 });
  rows.push({ name: 'ms1000X', fromUs: 1_000_000, toUs: Number.POSITIVE_INFINITY });
  return rows;
})();

/** Keys of the bucket table in report order, including `average` (µs) and `sumCount`. */
export const BUCKET_KEYS: readonly string[] = [...BUCKET_RANGES.map((r) => r.name), 'average', 'sumCount'];

/**
 * The TcpMotor bucket table of a histogram: count per range, `average` (mean, whole µs) and
 * `sumCount` (total). Each HdrHistogram bucket is attributed by its lowest equivalent value, so
 * edges are exact below 2048 µs and within the histogram's 0.1% resolution above.
 */
export function bucketTable(histogram: LatencyHistogram): LatencyBuckets {
  const table: LatencyBuckets = {};
  for (const range of BUCKET_RANGES) table[range.name] = 0;
  const js = histogram as unknown as JsHistogramInternals;
  let row = 0;
  for (let index = 0; index < js.countsArrayLength; index++) {
    const count = js.getCountAtIndex(index);
    if (count === 0) continue;
    const value = js.valueFromIndex(index);
    while (value >= BUCKET_RANGES[row]!.toUs) row++;
    table[BUCKET_RANGES[row]!.name]! += count;
  }
  table.average = histogram.totalCount === 0 ? 0 : Math.round(histogram.mean);
  table.sumCount = histogram.totalCount;
  return table;
}

/** The parts of hdr-histogram-js's JsHistogram that the bucket walk needs (public at run time). */
interface JsHistogramInternals {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  lowestEquivalentValue(value: number): number;
  highestEquivalentValue(value: number): number;
}

/** What makes two encoded histograms addable bucket by bucket: resolution and precision. */
export interface HistogramSettings {
  lowestDiscernibleValue: number;
  significantDigits: number;
}

/** The settings an encoding was recorded with (an empty string: this module's own). */
export function histogramSettings(encoded: string): HistogramSettings {
  if (encoded === '') return { lowestDiscernibleValue: 1, significantDigits: 3 };
  const decoded = doDecode(decompress(Buffer.from(encoded.trim(), 'base64')), 64) as unknown as {
    lowestDiscernibleValue: number;
    numberOfSignificantValueDigits: number;
  };
  return {
    lowestDiscernibleValue: decoded.lowestDiscernibleValue,
    significantDigits: decoded.numberOfSignificantValueDigits,
  };
}
