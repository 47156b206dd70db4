// Histogram helpers: exact merge through encodings, summaries and the TcpMotor bucket table.
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_KEYS,
  bucketTable,
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  recordUs,
  summarizeHistogram,
} from '../src/index.ts';

describe('histogram helpers', () => {
  it('round-trips through the base64 encoding', () => {
    const h = createHistogram();
    for (const v of [0, 1, 37, 499, 500, 12_345, 2_000_000]) recordUs(h, v);
    const back = decodeHistogram(encodeHistogram(h));
    expect(back.totalCount).toBe(7);
    expect(summarizeHistogram(back)).toEqual(summarizeHistogram(h));
  });

  it('speaks the standard compressed encoding of hdr-histogram-js both ways', () => {
    const theirs = hdr.build({ bitBucketSize: 64 });
    for (const v of [3, 700, 45_000]) theirs.recordValue(v);
    const ours = decodeHistogram(hdr.encodeIntoCompressedBase64(theirs));
    expect(ours.totalCount).toBe(3);
    expect(ours.getValueAtPercentile(100)).toBe(theirs.getValueAtPercentile(100));
    const back = hdr.decodeFromCompressedBase64(encodeHistogram(ours), 64);
    expect(back.totalCount).toBe(3);
    expect(back.getValueAtPercentile(50)).toBe(700);
  });

  it('merges exactly: counts add up and percentiles equal those of one combined histogram', () => {
    const a = createHistogram();
    const b = createHistogram();
    const all = createHistogram();
    for (let i = 0; i < 1000; i++) {
      recordUs(a, i);
      recordUs(all, i);
      recordUs(b, 10_000 + i * 7);
      recordUs(all, 10_000 + i * 7);
    }
    const merged = mergeHistograms([encodeHistogram(a), b]);
    expect(merged.totalCount).toBe(2000);
    expect(summarizeHistogram(merged)).toEqual(summarizeHistogram(all));
    expect(bucketTable(merged)).toEqual(bucketTable(all));
  });

  it('summarizes an empty histogram as zeros and keeps recorded zeros as the minimum', () => {
    expect(summarizeHistogram(createHistogram())).toMatchObject({ count: 0, p99Us: 0, maxUs: 0 });
    const h = createHistogram();
    recordUs(h, -3);
    recordUs(h, 0.4);
    recordUs(h, 250);
    const s = summarizeHistogram(h);
    expect(s.count).toBe(3);
    expect(s.minUs).toBe(0);
    expect(s.maxUs).toBe(250);
  });

  // Edges are exact below 2048 µs; above, a value within 0.1% of an edge may count one row lower.
  it('puts values into the TcpMotor buckets at their edges', () => {
    const h = createHistogram();
    const samples: Array<[number, string]> = [
      [0, 'us0_499'],
      [499, 'us0_499'],
      [500, 'us500_999'],
      [999, 'us500_999'],
      [1000, 'ms1_9'],
      [9999, 'ms1_9'],
      [10_000, 'ms10_19'],
      [25_000, 'ms20_29'],
      [99_000, 'ms90_99'],
      [150_000, 'ms100_199'],
      [950_000, 'ms900_999'],
      [998_000, 'ms900_999'],
      [1_002_000, 'ms1000X'],
      [5_000_000, 'ms1000X'],
    ];
    const expected: Record<string, number> = {};
    for (const [v, name] of samples) {
      recordUs(h, v);
      expected[name] = (expected[name] ?? 0) + 1;
    }
    const table = bucketTable(h);
    expect(Object.keys(table)).toEqual(BUCKET_KEYS);
    for (const key of BUCKET_KEYS.slice(0, -2)) expect(table[key], key).toBe(expected[key] ?? 0);
    expect(table.sumCount).toBe(samples.length);
    expect(table.average).toBe(Math.round(h.mean));
  });

  it('lists the TcpMotor rows in order', () => {
    expect(BUCKET_KEYS.slice(0, 4)).toEqual(['us0_499', 'us500_999', 'ms1_9', 'ms10_19']);
    expect(BUCKET_KEYS).toContain('ms90_99');
    expect(BUCKET_KEYS).toContain('ms100_199');
    expect(BUCKET_KEYS.slice(-4)).toEqual(['ms900_999', 'ms1000X', 'average', 'sumCount']);
    expect(BUCKET_KEYS).toHaveLength(24);
  });
});
