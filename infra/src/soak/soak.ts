// The soak: cycles connect -> N round trips -> close (RST, so no TIME_WAIT piles up) against one
// server for a while, and checks that the server gives back what the connections took: its
// process tree's RSS and open descriptors after the last cycle must be within a stated margin
// of what they were after warm-up. A leak of a few hundred bytes or one descriptor per
// connection, over the thousands of connections a soak cycles, shows far past it. The baseline
// is taken once warm-up stops growing the RSS: a server of one coroutine per connection needed
// ~5,000 connections here before its heap reached its working size (66 -> 93 MiB, then flat).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sampleProcessTree } from '@c1m/results';
import type { DriverResult } from '@c1m/schema';
import type { CaseSpec } from '../model/case-result.ts';
import { DRIVER_CLI } from '../run/driver.ts';
import { serverCommand, startServer, stopServer, type RunningServer } from '../run/server.ts';

const run = promisify(execFile);

/** What one soak does. */
export interface SoakOptions {
  /** servers/<dir> name. */
  server: string;
  transport: 'tcp' | 'ws';
  /** The server's workload (cpu-bound and io-bound serve only their own); the driver checks replies by it. */
  workload: 'echo' | 'cpu' | 'io';
  /** Architecture variant (--style), when the server has several. */
  style?: string;
  /** Cycling time after warm-up. */
  seconds: number;
  /** Connections opened together in each cycle. */
  concurrency: number;
  /** Round trips on each connection before it closes. */
  roundTrips: number;
  /** Cycles per driver run (one load-generator start per run); warm-up goes on in such runs. */
  cyclesPerRun?: number;
}

/** Warm-up ends when one run of cycles grows the RSS by less than this... */
export const SETTLED_RSS_BYTES = 2 * 1024 * 1024;
/** ...or after this many runs, whichever comes first. */
const MAX_WARMUP_RUNS = 12;

/** Server resources at one moment, with no connection open. */
export interface SoakSample {
  rssBytes: number;
  fds: number;
}

/** What a soak found. */
export interface SoakResult {
  server: string;
  transport: 'tcp' | 'ws';
  style?: string;
  seconds: number;
  /** Connections cycled before the baseline was taken. */
  warmupConnections: number;
  cycles: number;
  connectionsCycled: number;
  roundTrips: number;
  failedConnections: number;
  wrongReplies: number;
  missingReplies: number;
  baseline: SoakSample;
  end: SoakSample;
  rssGrowthBytes: number;
  fdGrowth: number;
  rssMarginBytes: number;
  fdMargin: number;
  /** Why the soak failed (empty when it passed). */
  failures: string[];
}

/**
 * V8 grows and gives back its heap in steps, and allocators keep freed pages for reuse, so a
 * server without a leak can end some MiB above its post-warm-up RSS: the margin is 25% of the
 * baseline or 16 MiB, whichever is more.
 */
export function rssMarginBytes(baselineRssBytes: number): number {
  return Math.max(16 * 1024 * 1024, Math.round(baselineRssBytes * 0.25));
}

/** Descriptors a server may open lazily after warm-up (a timer, an epoll set) without leaking. */
export const FD_MARGIN = 2;

/** Open descriptors of a process and its descendants. */
export function treeFds(pid: number): number {
  let fds = 0;
  for (const p of sampleProcessTree(pid).pids) {
    try {
      fds += readdirSync(`/proc/${p}/fd`).length;
    } catch {
      // exited between listing and reading
    }
  }
  return fds;
}

function soakCase(o: SoakOptions): CaseSpec {
  return {
    id: `soak-${o.server}-${o.transport}${o.style ? `-${o.style}` : ''}`,
    key: `soak ${o.server} ${o.transport}${o.style ? ` ${o.style}` : ''}`,
    scenario: 'short',
    server: o.server,
    transport: o.transport,
    workload: o.workload,
    ...(o.style ? { style: o.style } : {}),
    connections: o.concurrency,
    durationSeconds: o.seconds,
    warmupSeconds: 0,
    sizeBytes: 64,
    repetition: 1,
    caps: [],
    // Multi-loop servers get two loops, as on this 2-core machine.
    ...(['multi-loop', 'prefork', 'worker-pool'].includes(o.server) ? { workers: 2 } : {}),
  };
}

/** Waits until the server holds no connection (the last RST has been seen), at most 10 s. */
async function idle(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const stats = await server.stats();
    if (stats && stats.connections.current === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server still holds connections 10 s after the cycle ended');
}

async function sample(server: RunningServer): Promise<SoakSample> {
  await idle(server);
  return { rssBytes: sampleProcessTree(server.ready.pid).rssBytes, fds: treeFds(server.ready.pid) };
}

/** One driver run of `cycles` short loops; resolves with its result. */
async function cycle(o: SoakOptions, target: string, cycles: number, dir: string): Promise<DriverResult> {
  const json = join(dir, 'driver.json');
  const args = [
    DRIVER_CLI,
    'short',
    '--target',
    target,
    '--concurrency',
    String(o.concurrency),
    '--loops',
    String(cycles),
    '--round-trips',
    String(o.roundTrips),
    '--linger0',
    '--size',
    '64',
    '--workload',
    o.workload,
    '--json',
    json,
  ];
  // Exit 1 (failed connections) still wrote a result, which the soak reports.
  await run(process.execPath, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }).catch(() => undefined);
  return JSON.parse(readFileSync(json, 'utf8')) as DriverResult;
}

/** Runs one soak against a freshly started server and stops it again. */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const spec = soakCase(o);
  const server = await startServer(serverCommand(spec, 5), spec, 30_000);
  const dir = mkdtempSync(join(tmpdir(), 'c1m-soak-'));
  const target = o.transport === 'ws' ? `ws://127.0.0.1:${server.ready.port}/` : `tcp://127.0.0.1:${server.ready.port}`;
  const totals = { cycles: 0, connections: 0, roundTrips: 0, failed: 0, wrong: 0, missing: 0 };
  const count = (r: DriverResult) => {
    totals.cycles += r.short?.loops.length ?? 0;
    totals.connections += r.connections.requested;
    totals.roundTrips += r.messages.received;
    totals.failed += r.short?.loops.reduce((a, l) => a + l.failed, 0) ?? 0;
    totals.wrong += r.messages.mismatches;
    totals.missing += r.messages.missing;
  };
  const perRun = o.cyclesPerRun ?? 5;
  try {
    // Warm-up: heaps, JIT and pools grow to their working size; then the baseline.
    count(await cycle(o, target, perRun, dir));
    let baseline = await sample(server);
    for (let run = 1; run < MAX_WARMUP_RUNS; run++) {
      count(await cycle(o, target, perRun, dir));
      const now = await sample(server);
      const grew = now.rssBytes - baseline.rssBytes;
      baseline = now;
      if (grew < SETTLED_RSS_BYTES) break;
    }
    const warmupConnections = totals.connections;
    const started = Date.now();
    do count(await cycle(o, target, perRun, dir));
    while (Date.now() - started < o.seconds * 1000);
    const end = await sample(server);
    const rssGrowthBytes = end.rssBytes - baseline.rssBytes;
    const fdGrowth = end.fds - baseline.fds;
    const margin = rssMarginBytes(baseline.rssBytes);
    const failures: string[] = [];
    if (rssGrowthBytes > margin) failures.push(`RSS grew ${rssGrowthBytes} bytes, more than the ${margin}-byte margin`);
    if (fdGrowth > FD_MARGIN)
      failures.push(`${fdGrowth} more open descriptors than after warm-up (margin ${FD_MARGIN})`);
    if (totals.failed > 0) failures.push(`${totals.failed} connections failed`);
    if (totals.wrong > 0 || totals.missing > 0)
      failures.push(`${totals.wrong} wrong and ${totals.missing} missing replies`);
    return {
      server: o.server,
      transport: o.transport,
      ...(o.style ? { style: o.style } : {}),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      warmupConnections,
      cycles: totals.cycles,
      connectionsCycled: totals.connections - warmupConnections,
      roundTrips: totals.roundTrips,
      failedConnections: totals.failed,
      wrongReplies: totals.wrong,
      missingReplies: totals.missing,
      baseline,
      end,
      rssGrowthBytes,
      fdGrowth,
      rssMarginBytes: margin,
      fdMargin: FD_MARGIN,
      failures,
    };
  } finally {
    await stopServer(server, 5);
    rmSync(dir, { recursive: true, force: true });
  }
}
