// LatencyRecorder must leave exactly what recordUs would have: the same counts in the same
// buckets (so the same encoding, percentiles and bucket-aligned min/max), for values across every
// bucket of the fast range, at its edges and beyond it.
import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, LatencyRecorder, recordUs, summarizeHistogram } from '../src/index.ts';

describe('LatencyRecorder', () => {
  it('records what recordUs records, in every bucket', () => {
    const direct = createHistogram();
    const recorder = new LatencyRecorder(createHistogram());
    // Edges: negative and sub-µs noise, bucket boundaries, the end of the fast range and beyond.
    const values = [-3, 0, 0.4, 0.5, 1, 2047, 2048, 2049, 4095, 4096, 65_535, 65_536];
    values.push(2 ** 27 - 1, 2 ** 27, 2 ** 27 + 1, 5e9);
    // Log-spaced over 0.1 µs … ~70 min, 20,000 steps: every bucket of the fast range, many
    // sub-buckets of each, fractions on both sides of .5, and values above the fast range.
    for (let i = 0; i < 20_000; i++) values.push(10 ** (-1 + (i * 10.6) / 20_000));
    values.forEach((v, i) => {
      recordUs(direct, v);
      recorder.record(v);
      // Flushing midway must not lose or double anything.
      if (i === 5000) recorder.flush();
    });
    const ours = recorder.flush();
    expect(ours.totalCount).toBe(values.length);
    expect(encodeHistogram(ours)).toBe(encodeHistogram(direct));
    expect(summarizeHistogram(ours)).toEqual(summarizeHistogram(direct));
  });

  it('flushes nothing twice and leaves an unused histogram empty', () => {
    const recorder = new LatencyRecorder(createHistogram());
    expect(recorder.flush().totalCount).toBe(0);
    recorder.record(123);
    recorder.record(123);
    expect(recorder.flush().totalCount).toBe(2);
    expect(recorder.flush().totalCount).toBe(2);
    expect(recorder.histogram.getValueAtPercentile(100)).toBe(123);
  });
});
