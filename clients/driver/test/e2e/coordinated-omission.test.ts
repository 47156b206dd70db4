// Coordinated omission, measured. A stall that holds back the driver's sends (the shard stopped
// with SIGSTOP: a GC pause, a descheduled process) shows in the corrected p99, taken from each
// message's due time, and not in the uncorrected one, taken from the late send: the two differ by
// about the stall. A stalled server cannot hold back the open loop's sends (it keeps sending on
// schedule), so there both figures show the stall; a closed loop, which waits for each reply,
// sends almost nothing during the stall and hides it from its p99 (only the max sees it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleProcessTree } from '@c1m/results';
import { serverRegistry, startTcpEcho } from '../echo-servers.ts';
import { ensureBuilt, runDriver } from '../run-driver.ts';

const servers = serverRegistry();
beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

const STALL_MS = 1000;
const RATE = 1000;
/**
 * Long enough that the requests in flight when the shard stops (rate x round trip: up to ~45 on
 * a busy 2-core machine, whose uncorrected latency does include the stall) stay under 1% of
 * the samples, while the backlog the stall leaves (STALL_MS x RATE / 1000) is over 10% of them.
 */
const DURATION_S = 8;
/**
 * The p99 of a uniform 0..STALL_MS ramp of late samples sits below the stall by the 1% of all
 * samples above it: 0.01 x DURATION_S x RATE samples, one per ms, so 80 ms. A busy 2-core
 * machine adds its own tail (timers, the backlog sent in one burst): another 15% of the stall.
 */
const P99_BELOW_STALL_MS = (0.01 * DURATION_S * RATE * 1000) / RATE + 0.15 * STALL_MS;
/** A stall is never measured longer than it lasted, save the machine's lateness (10%). */
const OVER_STALL_MS = 0.1 * STALL_MS;

const ms = (us: number) => us / 1000;

describe('coordinated omission', () => {
  it('a stalled driver: corrected p99 exceeds uncorrected p99 by about the stall', async () => {
    const s = await servers.start(startTcpEcho());
    let stalledMs = 0;
    const run = await runDriver(
      [
        'echo',
        '--target',
        s.url,
        '--connections',
        '10',
        '--rate',
        String(RATE),
        '--warmup',
        '0',
        '--duration',
        `${DURATION_S}s`,
        '--timing',
        'timer',
      ],
      30_000,
      (coordinator) => {
        void (async () => {
          // Stop the shard one second into the load, for STALL_MS, timed here.
          while (s.accepted() < 10) await new Promise((r) => setTimeout(r, 20));
          await new Promise((r) => setTimeout(r, 1000));
          const [shard] = sampleProcessTree(coordinator.pid!).pids.filter((pid) => pid !== coordinator.pid);
          const t0 = performance.now();
          process.kill(shard!, 'SIGSTOP');
          await new Promise((r) => setTimeout(r, STALL_MS));
          process.kill(shard!, 'SIGCONT');
          stalledMs = performance.now() - t0;
        })();
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    const corrected = ms(r.latencyUs.p99Us);
    const uncorrected = ms(r.latencyUncorrectedUs.p99Us);
    expect(stalledMs).toBeGreaterThanOrEqual(STALL_MS);
    expect(corrected - uncorrected).toBeGreaterThan(stalledMs - P99_BELOW_STALL_MS);
    expect(corrected - uncorrected).toBeLessThan(stalledMs + OVER_STALL_MS);
    expect(ms(r.latencyUs.maxUs)).toBeGreaterThan(stalledMs - 0.15 * STALL_MS);
  });

  it(
    'a stalled server: the open loop keeps sending, both ' + 'figures show the stall; a closed loop hides it from p99',
    async () => {
      // The stall starts after one second's requests.
      const open = await servers.start(startTcpEcho({ stall: { afterFrames: RATE, ms: STALL_MS } }));
      const openRun = await runDriver([
        'echo',
        '--target',
        open.url,
        '--connections',
        '10',
        '--rate',
        String(RATE),
        '--warmup',
        '0',
        '--duration',
        `${DURATION_S}s`,
        '--timing',
        'timer',
      ]);
      expect(openRun.code, openRun.stderr).toBe(0);
      const o = openRun.result!;
      for (const p99 of [ms(o.latencyUs.p99Us), ms(o.latencyUncorrectedUs.p99Us)]) {
        expect(p99).toBeGreaterThan(STALL_MS - P99_BELOW_STALL_MS);
        expect(p99).toBeLessThan(STALL_MS + OVER_STALL_MS);
      }
      // Sent on schedule through the stall: the two differ by the driver's own lateness only.
      expect(Math.abs(o.latencyUs.p99Us - o.latencyUncorrectedUs.p99Us) / 1000).toBeLessThan(OVER_STALL_MS);

      const closed = await servers.start(startTcpEcho({ stall: { afterFrames: RATE, ms: STALL_MS } }));
      const closedRun = await runDriver([
        'echo',
        '--target',
        closed.url,
        '--connections',
        '10',
        '--pipeline',
        '1',
        '--warmup',
        '0',
        '--duration',
        `${DURATION_S}s`,
      ]);
      expect(closedRun.code, closedRun.stderr).toBe(0);
      const c = closedRun.result!;
      // Ten requests waited out the stall (max) among thousands answered at once: p99 never sees it.
      expect(ms(c.latencyUs.maxUs)).toBeGreaterThan(STALL_MS - OVER_STALL_MS);
      expect(ms(c.latencyUs.p99Us)).toBeLessThan(STALL_MS / 5);
      // A closed loop's due time is its send time, save the µs between reading a reply and writing the next request.
      expect(Math.abs(c.latencyUs.p99Us - c.latencyUncorrectedUs.p99Us)).toBeLessThan(1000);
    },
  );
});
