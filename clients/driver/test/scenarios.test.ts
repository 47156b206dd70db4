// hold, short and max-rate through the built CLI against real in-process servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverRegistry, startTcpEcho, startWsEcho } from './echo-servers.ts';
import { ensureBuilt, runDriver } from './run-driver.ts';

const servers = serverRegistry();
const server = servers.start;
beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

describe('c1m-load hold', () => {
  it.each([
    ['tcp', '1'],
    ['ws', '2'],
  ] as const)('proves every %s connection alive in every round (%s shards)', async (transport, shards) => {
    const s = await server(transport === 'tcp' ? startTcpEcho() : startWsEcho());
    // 1 s rounds: a ping answered later than that on a busy 2-core machine would count as missed.
    const run = await runDriver([
      'hold',
      '--target',
      s.url,
      '--connections',
      '60',
      '--shards',
      shards,
      '--duration',
      '2s',
      '--ping-interval',
      '1s',
      '--connect-rate',
      '1000',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.connections).toMatchObject({ requested: 60, established: 60, failed: 0 });
    expect(r.hold!.pingIntervalSeconds).toBe(1);
    expect(r.hold!.rounds).toEqual([
      { atSeconds: 0, answered: 60, missed: 0 },
      { atSeconds: 1, answered: 60, missed: 0 },
    ]);
    expect(r.hold!.pingRttUs.count).toBe(120);
    expect(r.messages).toMatchObject({ sent: 120, received: 120, missing: 0, mismatches: 0 });
    expect(r.driver.rssBytesPerConnection).toBeDefined();
    expect(r.connectTimeUs.count).toBe(60);
    expect(run.stdout).toMatch(/round 2 at 1s: 60 answered, 0 missed/);
  });
});

describe('c1m-load hold, a ping answered late', () => {
  // Every round gives a ping one interval to be answered, the last round too (not just --grace).
  // 1 s rounds; 300 ms late is in time with 700 ms to spare, 2 s late is out of time by a whole
  // round, margins a busy 2-core machine's scheduling cannot cross.
  it.each([
    [300, 20, 0],
    [2000, 0, 20],
  ] as const)(
    'answered %i ms late with a 1 s interval: %i answered, %i missed in each round',
    async (delayMs, answered, missed) => {
      const s = await server(startTcpEcho({ delayMs }));
      const run = await runDriver([
        'hold',
        '--target',
        s.url,
        '--connections',
        '20',
        '--duration',
        '2s',
        '--ping-interval',
        '1s',
        '--grace',
        '0',
      ]);
      expect(run.code, run.stderr).toBe(missed > 0 ? 1 : 0);
      expect(run.result!.hold!.rounds.map((r) => [r.answered, r.missed])).toEqual([
        [answered, missed],
        [answered, missed],
      ]);
    },
  );
});

describe('c1m-load hold --ping-kind ws-ping', () => {
  it('proves every connection alive with WebSocket pings answered by the server engine, not messages', async () => {
    const s = await server(startWsEcho());
    const run = await runDriver([
      'hold',
      '--target',
      s.url,
      '--connections',
      '40',
      '--duration',
      '2s',
      '--ping-interval',
      '1s',
      '--ping-kind',
      'ws-ping',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.hold!.rounds.map((x) => [x.answered, x.missed])).toEqual([
      [40, 0],
      [40, 0],
    ]);
    expect(r.messages).toMatchObject({ sent: 80, received: 80, mismatches: 0, missing: 0 });
    expect(s.frames!()).toEqual({ messages: 0, pings: 80 });
  });

  it('is refused for tcp targets, naming what it is for', async () => {
    const run = await runDriver(['hold', '--target', 'tcp://127.0.0.1:9', '--ping-kind', 'ws-ping']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--ping-kind ws-ping is for hold over ws:\/\/ targets/);
  });
});

describe('c1m-load ramp memory guard', () => {
  it('stops opening connections when MemAvailable is below --min-free-memory, and says how far it got', async () => {
    const s = await server(startTcpEcho());
    // A floor above any machine's memory: the guard's first read of /proc/meminfo stops the ramp.
    const run = await runDriver([
      'hold',
      '--target',
      s.url,
      '--connections',
      '50',
      '--duration',
      '200ms',
      '--ping-interval',
      '100ms',
      '--min-free-memory',
      '1048576GiB',
    ]);
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.connections.established).toBe(0);
    expect(r.connections.rampStoppedReason).toMatch(
      /MemAvailable \d+ MiB fell below the floor of 1073741824 MiB after 0 of 50 connects/,
    );
    expect(r.failures.join('\n')).toMatch(/ramp stopped at 0 of 50 connections/);
    expect(s.accepted()).toBe(0);
  });
});

describe('c1m-load short', () => {
  it.each([[[]], [['--linger0']]])('runs loops of short connections %j', async (extra) => {
    const s = await server(startTcpEcho());
    const run = await runDriver(['short', '--target', s.url, '--concurrency', '25', '--loops', '3', ...extra]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    for (let k = 1; k <= 3; k++)
      expect(run.stdout).toMatch(new RegExp(`loop ${k}: finished 25, failed 0, \\d+\\.\\d\\ds`));
    expect(r.short!.loops.map((l) => [l.loop, l.finished, l.failed])).toEqual([
      [1, 25, 0],
      [2, 25, 0],
      [3, 25, 0],
    ]);
    // Closing first with FIN leaves each of our 75 sockets in TIME_WAIT for 60 s (the count is the machine's).
    if (extra.length === 0) expect(r.short!.timeWaitAfter).toBeGreaterThanOrEqual(75);
    expect(r.connections.requested).toBe(75);
    expect(r.messages).toMatchObject({ sent: 75, received: 75, measured: 75 });
    expect(s.accepted()).toBe(75);
  });

  it('makes --round-trips exchanges on each connection before closing it', async () => {
    const s = await server(startTcpEcho());
    const run = await runDriver([
      'short',
      '--target',
      s.url,
      '--concurrency',
      '10',
      '--loops',
      '2',
      '--round-trips',
      '3',
      '--linger0',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.short!.loops.map((l) => [l.finished, l.failed])).toEqual([
      [10, 0],
      [10, 0],
    ]);
    expect(r.messages).toMatchObject({ sent: 60, received: 60, measured: 60, mismatches: 0, missing: 0 });
    expect(s.accepted()).toBe(20);
  });
});

describe('c1m-load max-rate', () => {
  it('doubles the rate while p99 stays within the SLO and reports the curve', async () => {
    const s = await server(startTcpEcho());
    const run = await runDriver([
      'max-rate',
      '--target',
      s.url,
      '--connections',
      '4',
      '--start-rate',
      '100',
      '--max-steps',
      '3',
      '--step-duration',
      '300ms',
      '--warmup',
      '0s',
      '--slo',
      '10s',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const m = run.result!.maxRate!;
    expect(m.sloP99Us).toBe(10_000_000);
    expect(m.steps.map((st) => [st.rate, st.withinSlo])).toEqual([
      [100, true],
      [200, true],
      [400, true],
    ]);
    expect(m.bestRate).toBe(400);
    expect(run.result!.messages.measured).toBe(120);
  });

  it('bisects downwards when no rate meets an impossible SLO', async () => {
    const s = await server(startTcpEcho());
    const run = await runDriver([
      'max-rate',
      '--target',
      s.url,
      '--connections',
      '2',
      '--start-rate',
      '400',
      '--max-steps',
      '3',
      '--step-duration',
      '200ms',
      '--warmup',
      '0s',
      '--slo',
      '1us',
    ]);
    const m = run.result!.maxRate!;
    expect(m.steps.map((st) => st.rate)).toEqual([400, 200, 100]);
    expect(m.bestRate).toBe(0);
  });
});
