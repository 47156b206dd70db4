// echo scenario through the built CLI against real in-process servers: closed and open loop,
// tcp and ws, every workload, several targets, and shard merging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '@c1m/results';
import { serverRegistry, startTcpEcho, startWsEcho } from './echo-servers.ts';
import { ensureBuilt, runDriver } from './run-driver.ts';

const servers = serverRegistry();
const server = servers.start;

beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

/** Every correct reply in the window is in the merged histograms and the bucket table. */
function expectConsistent(r: NonNullable<Awaited<ReturnType<typeof runDriver>>['result']>): void {
  const measured = r.messages.measured!;
  expect(measured).toBeGreaterThan(0);
  expect(r.latencyUs.count).toBe(measured);
  expect(r.latencyUncorrectedUs.count).toBe(measured);
  expect(decodeHistogram(r.histograms.latencyCorrected).totalCount).toBe(measured);
  expect(decodeHistogram(r.histograms.latencyUncorrected).totalCount).toBe(measured);
  expect(r.buckets.sumCount).toBe(measured);
  expect(decodeHistogram(r.histograms.connect).totalCount).toBe(r.connections.established);
  expect(r.messages.received).toBe(r.messages.sent);
  expect(r.messages.mismatches).toBe(0);
  expect(r.messages.missing).toBe(0);
}

describe('c1m-load echo', () => {
  it('runs a closed loop over tcp and writes a complete result', async () => {
    const s = await server(startTcpEcho());
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '4',
      '--duration',
      '600ms',
      '--warmup',
      '100ms',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r).toMatchObject({
      tool: 'c1m-load',
      schemaVersion: 1,
      scenario: 'echo',
      passed: true,
      failures: [],
      target: [s.url],
    });
    expect(r.connections).toMatchObject({ requested: 4, established: 4, failed: 0 });
    expect(s.accepted()).toBe(4);
    expectConsistent(r);
    expect(r.messages.sent).toBeGreaterThan(r.messages.measured!);
    expect(r.command).toContain('echo');
    expect(r.env.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.env.sysctls['net.core.somaxconn']).toBeDefined();
    expect(r.driver.shards).toBe(1);
    expect(r.driver.cpuSeconds).toBeGreaterThan(0);
    expect(r.driver.rssBytesPeak).toBeGreaterThan(0);
    expect(run.stdout).toContain('result       PASSED');
    expect(run.stdout).toContain('us0_499');
    expect(run.stdout).toContain('sumCount');
  });

  it.each(['precise', 'timer'])(
    'sends exactly rate x duration in open loop (%s timing) and reports both latencies',
    async (timing) => {
      const s = await server(startTcpEcho());
      const run = await runDriver([
        'echo',
        '--target',
        s.url,
        '--connections',
        '5',
        '--rate',
        '500',
        '--duration',
        '1s',
        '--warmup',
        '0s',
        '--timing',
        timing,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const r = run.result!;
      expect(r.options.mode).toBe('open');
      expect(r.messages.sent).toBe(500);
      expect(r.messages.measured).toBe(500);
      expectConsistent(r);
      // A loopback round trip takes some µs; measured from the due time it is never shorter than from the send.
      expect(r.latencyUncorrectedUs.p50Us).toBeGreaterThan(0);
      expect(r.latencyUs.p50Us).toBeGreaterThanOrEqual(r.latencyUncorrectedUs.p50Us);
      expect(run.stdout).toContain('uncorrected');
    },
  );

  it('keeps --pipeline requests in flight over WebSocket', async () => {
    const s = await server(startWsEcho());
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '3',
      '--pipeline',
      '8',
      '--duration',
      '500ms',
      '--warmup',
      '0s',
      '--size',
      '64-300',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectConsistent(run.result!);
    expect(run.result!.target).toEqual([s.url]);
  });

  // A read holding exactly one whole reply skips the decoder; these replies come split and run
  // together, so they take the decoder path, including a frame finished by a read that starts the next.
  it('checks replies that arrive split across reads and run together in one read', async () => {
    const s = await server(startTcpEcho({ splitBytes: 7 }));
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '3',
      '--pipeline',
      '4',
      '--size',
      '12-300',
      '--duration',
      '600ms',
      '--warmup',
      '100ms',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectConsistent(run.result!);
  });

  // Echo requests are built in one reused buffer until a write's queue keeps it (writeLent says
  // HELD); the next request is then built in a new buffer. Against a slow reader most writes queue:
  // had the factory gone on writing into a buffer a queue held, the queued requests (and so their
  // echoes) would carry later bodies.
  it.each([
    ['tcp', startTcpEcho],
    ['ws', startWsEcho],
  ] as const)('checks every %s echo reply when its writes back up behind a slow reader', async (_, start) => {
    const s = await server(start({ slowReadMs: 5 }));
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--connections',
      '2',
      '--pipeline',
      '32',
      '--size',
      '100000-300000',
      '--duration',
      '700ms',
      '--warmup',
      '0s',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    // 2 x 32 requests of 100-300 kB in flight (~6 MB a connection): more than loopback's socket buffers
    // take (~2.5 MB here), so writes queue; the server reads ~13 MB/s, so replies keep coming and
    // requests are sent after those queued writes too. With the reused frame buffer handed to
    // socket.write uncopied while a write was queued, this run had mismatches and resets (and so it
    // has with writeLent when Pool.send ignores HELD).
    expect(r.messages.received).toBeGreaterThan(64);
    expectConsistent(r);
  });

  it.each(['cpu', 'io'] as const)('checks %s replies with isCorrectReply', async (workload) => {
    const s = await server(startTcpEcho({ workload }));
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--workload',
      workload,
      '--connections',
      '2',
      '--duration',
      '400ms',
      '--warmup',
      '0s',
      '--size',
      '100',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectConsistent(run.result!);
  });

  it('spreads connections over several targets', async () => {
    const a = await server(startTcpEcho());
    const b = await server(startTcpEcho());
    const run = await runDriver([
      'echo',
      '--target',
      a.url,
      '--target',
      b.url,
      '--connections',
      '6',
      '--duration',
      '300ms',
      '--warmup',
      '0s',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result!.target).toEqual([a.url, b.url]);
    expect(a.accepted()).toBe(3);
    expect(b.accepted()).toBe(3);
  });

  it('merges the histograms and counters of several shards exactly', async () => {
    const s = await server(startTcpEcho());
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--shards',
      '3',
      '--connections',
      '7',
      '--rate',
      '700',
      '--duration',
      '1s',
      '--warmup',
      '0s',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.driver.shards).toBe(3);
    expect(r.connections.established).toBe(7);
    // The rate is split over shards by their connections: 3+2+2 of 7 -> 300+200+200 per second.
    expect(r.messages.sent).toBe(700);
    expectConsistent(r);
  });
});
