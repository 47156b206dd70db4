// Stats over several sources (threads, prefork children): counters add up, gauges take the
// maximum, a retired child keeps its totals but not its connections, and /stats says so.
import { describe, expect, it } from 'vitest';
import {
  mergeSnapshots,
  retiredSnapshot,
  StatsCounters,
  toServerStats,
  type StatsContext,
} from '../src/stats-counters.ts';

const context: StatsContext = {
  architecture: 'test',
  pid: 1,
  processes: 3,
  threads: 1,
  startedAtMs: Date.now(),
  fdLimit: 20000,
  maxConnections: 59232,
  rssBytes: 1000,
  cpuSeconds: 0.5,
  observedPeak: 0,
};

/** Three sources with different histories, built through the counters' own API. */
function threeSources(): StatsCounters[] {
  const a = new StatsCounters();
  const b = new StatsCounters();
  const c = new StatsCounters();
  for (let i = 0; i < 3; i++) a.connectionOpened();
  a.connectionClosed(); // a: current 2, peak 3, total 3
  b.connectionOpened(); // b: current 1, peak 1, total 1
  for (let i = 0; i < 5; i++) c.connectionOpened();
  for (let i = 0; i < 5; i++) c.connectionClosed(); // c: current 0, peak 5, total 5
  a.frameIn(100);
  a.frameOut(100);
  b.frameIn(7);
  c.frameIn(50);
  c.frameOut(40);
  a.protocolError('C1M_FRAME_TOO_LARGE');
  c.protocolError('C1M_FRAME_TOO_LARGE');
  b.protocolError('C1M_WS_INVALID_UTF8');
  b.backpressureClose();
  c.backpressurePause();
  c.backpressurePause();
  a.refused();
  a.setEventLoopDelayP99Ms(3.5);
  b.setEventLoopDelayP99Ms(12.25);
  return [a, b, c];
}

describe('merging counters over sources', () => {
  it('adds counts, takes the maximum of peaks and event-loop delay', () => {
    const stats = toServerStats(mergeSnapshots(threeSources().map((s) => s.snapshot())), context);
    expect(stats.connections).toEqual({ current: 3, peak: 5, total: 9 });
    expect([stats.framesIn, stats.framesOut, stats.bytesIn, stats.bytesOut]).toEqual([3, 2, 157, 140]);
    expect(stats.protocolErrors).toEqual({ C1M_FRAME_TOO_LARGE: 2, C1M_WS_INVALID_UTF8: 1 });
    expect([stats.backpressureCloses, stats.backpressurePauses, stats.refusedConnections]).toEqual([1, 2, 1]);
    expect(stats.eventLoopDelayP99Ms).toBe(12.25);
    expect(stats.backpressureSoftPausesReading).toBe(true);
  });

  it("reports the highest concurrent total observed when it beats every single source's peak", () => {
    const merged = mergeSnapshots(threeSources().map((s) => s.snapshot()));
    expect(toServerStats(merged, { ...context, observedPeak: 7 }).connections.peak).toBe(7);
  });

  it('one loop that cannot pause reading makes the whole server say so', () => {
    const [a, b, c] = threeSources();
    b!.markSoftLimitUnpausable();
    const stats = toServerStats(mergeSnapshots([a!, b!, c!].map((s) => s.snapshot())), context);
    expect(stats.backpressureSoftPausesReading).toBe(false);
  });

  it('a retired source keeps its totals but no longer its current connections or loop delay', () => {
    const [a, b, c] = threeSources();
    const stats = toServerStats(
      mergeSnapshots([a!.snapshot(), retiredSnapshot(b!.snapshot()), c!.snapshot()]),
      context,
    );
    expect(stats.connections).toEqual({ current: 2, peak: 5, total: 9 });
    expect(stats.framesIn).toBe(3);
    expect(stats.protocolErrors).toEqual({ C1M_FRAME_TOO_LARGE: 2, C1M_WS_INVALID_UTF8: 1 });
    expect(stats.eventLoopDelayP99Ms).toBe(3.5);
  });

  it('counters in shared memory are read by another view of the same buffer (how a parent reads its threads)', () => {
    const buffer = StatsCounters.sharedBuffer();
    const thread = new StatsCounters(buffer);
    thread.frameIn(10);
    thread.backpressureSoftOverrun();
    const parent = new StatsCounters(buffer);
    const stats = toServerStats(mergeSnapshots([parent.snapshot()]), context);
    expect([stats.framesIn, stats.bytesIn, stats.backpressureSoftOverruns]).toEqual([1, 10, 1]);
  });

  it('merging nothing is all zeros', () => {
    const stats = toServerStats(mergeSnapshots([]), context);
    expect(stats.connections).toEqual({ current: 0, peak: 0, total: 0 });
    expect(stats.protocolErrors).toEqual({});
  });
});
