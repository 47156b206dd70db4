// The driver's efficiency figures (issue 4), measured against the C baseline pair of
// infra/baseline when a C compiler is present (else against a node:net echo server, said so):
// - msgs/s at 100 connections, 64 B bodies, closed loop, beside the C client's (A B A B rounds,
//   because this shared machine's speed drifts by 2-3x within minutes) and beside the node:net
//   floor client's (bench/floor-client.ts: what any Node load generator here costs at the least);
// - driver CPU-seconds per million messages beside the C client's;
// - p50 at 1000 msgs/s open loop beside the C client's one-connection round trip;
// - RSS per idle connection (hold) at 18,000 connections (one shard) and at --idle N (default 100,000;
//   0 skips both).
// With --pin split (the default, as bench:c1m) the server runs on the upper half of the CPUs and
// either client on the lower half (taskset), for the C client and the driver alike: unpinned, a
// client's write wakes the server on the client's own CPU and the wake-up preempts the client
// (measured: ~9,000 involuntary context switches/s of the driver's shard, ~100/s pinned).
// --compare-cli <another build's dist/cli.js> runs that build's closed loop in every round too.
// Run: pnpm --filter @c1m/driver build && pnpm --filter @c1m/driver bench [--rounds 3 --idle 100000 --pin none]
// Not a test: prints a table and writes results/driver-bench/<time>.json (git-ignored).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureEnv } from '@c1m/results';
import { parseDriverResult, type DriverResult } from '@c1m/schema';
import { UsageError } from '@c1m/cli';
import { type BenchFlags, parseBenchFlags } from './bench-flags.ts';

const here = dirname(fileURLToPath(import.meta.url));
const driverDir = join(here, '..');
const root = join(driverDir, '..', '..');
const cli = join(driverDir, 'dist', 'cli.js');

let parsed: BenchFlags | undefined;
try {
  parsed = parseBenchFlags(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.code}: ${err.message}`);
  process.exit(2);
}
if (parsed === undefined) process.exit(0);
const flags = parsed;
const ROUNDS = flags.rounds;
const DURATION_S = flags.durationSeconds;
const IDLE = flags.idle;

/** The closed-loop target the issue set: the driver at ≥ 0.75x the C client's rate. */
const TARGET_RATIO = 0.75;

/** taskset CPU lists: the lower half of the CPUs for clients, the upper half for the server (undefined: unpinned). */
const pinning = ((): { client: string; server: string } | undefined => {
  const cpus = availableParallelism();
  if (flags.pin === 'none' || cpus < 2) return undefined;
  try {
    execFileSync('which', ['taskset'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return { client: range(0, half - 1), server: range(half, cpus - 1) };
})();

/** `command args` on the given CPUs (children inherit the affinity). */
function onCpus(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

/**
 * The C baseline binaries, built by infra's build-baseline (the one place that knows their sources),
 * or null without a compiler. Run as a command: the driver does not import infra.
 */
function buildBaseline(): { server: string; client: string } | null {
  const tsx = join(driverDir, 'node_modules', '.bin', 'tsx');
  const out = execFileSync(tsx, [join(root, 'infra', 'src', 'build-baseline.ts')], { encoding: 'utf8' });
  if (out.startsWith('baseline skipped')) return null;
  // "built with CC:", then the server's and the client's path, one a line.
  const [server, client] = out
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  if (!server || !client) throw new Error(`build-baseline printed no paths: ${out}`);
  return { server, client };
}

/** Starts a server process and resolves with its port from the JSON ready line. */
function startServer(command: string, args: string[]): Promise<number> {
  const child = spawn(...onCpus(pinning?.server, command, args), { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const line = buffered.split('\n').find((l) => l.includes('"ready"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
  });
}

/** A node:net echo server (the fallback when there is no C compiler). */
const NODE_ECHO = `
const net = require('node:net');
const s = net.createServer((c) => { c.on('data', (d) => c.write(d)); c.on('error', () => {}); });
s.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: s.address().port })));`;

function runDriver(args: string[], entry = cli): DriverResult {
  const json = join(mkdtempSync(join(tmpdir(), 'c1m-bench-')), 'r.json');
  try {
    execFileSync(...onCpus(pinning?.client, process.execPath, [entry, ...args, '--json', json]), {
      stdio: ['ignore', 'ignore', 'inherit'],
      maxBuffer: 64 << 20,
    });
  } catch {
    // a failed run still writes its result; the checks below report it
  }
  return parseDriverResult(JSON.parse(readFileSync(json, 'utf8')));
}

interface CResult {
  messages: number;
  messagesPerSecond: number;
  cpuSeconds: number;
  latencyP50Us: number;
  latencyP99Us: number;
}

/**
 * The floor of any node:net load generator here (bench/floor-client.ts): the driver's socket and
 * write path without its checks and records. Its cpuSeconds cover the measured seconds only.
 */
function runFloorClient(port: number, seconds: number): { messagesPerSecond: number; cpuSecondsPerMillion: number } {
  const tsx = join(driverDir, 'node_modules', '.bin', 'tsx');
  const args = [join(here, 'floor-client.ts'), '--port', String(port), '--connections', '100', '--size', '64'];
  const out = execFileSync(...onCpus(pinning?.client, tsx, [...args, '--duration', String(seconds), '--warmup', '1']));
  const r = JSON.parse(out.toString()) as { messages: number; messagesPerSecond: number; cpuSeconds: number };
  return { messagesPerSecond: r.messagesPerSecond, cpuSecondsPerMillion: r.cpuSeconds / (r.messages / 1e6) };
}

function runCClient(client: string, port: number, connections: number, seconds: number): CResult {
  const args = ['--port', String(port), '--connections', String(connections), '--size', '64'];
  const out = execFileSync(
    ...onCpus(pinning?.client, client, [...args, '--duration', String(seconds), '--warmup', '1']),
  );
  return JSON.parse(out.toString()) as CResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * Driver CPU per million messages sent, from the shards' CPU during the load (warm-up included,
 * process start-up, ramp and close not: those are fixed costs, not per message).
 */
const cpuPerMillion = (r: DriverResult) => (r.driver.loadCpuSeconds ?? r.driver.cpuSeconds) / (r.messages.sent / 1e6);

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('build the driver first: pnpm --filter @c1m/driver build');
  const baseline = buildBaseline();
  const reference = baseline
    ? 'C epoll echo server + C client (infra/baseline)'
    : 'node:net echo server (no C compiler: no C client figures)';
  const port = baseline
    ? await startServer(baseline.server, ['--port', '0'])
    : await startServer(process.execPath, ['-e', NODE_ECHO]);
  const target = `tcp://127.0.0.1:${port}`;
  const placement = pinning ? `server on CPU ${pinning.server}, clients on CPU ${pinning.client}` : 'unpinned';
  console.log(`reference: ${reference}; ${ROUNDS} interleaved rounds of ${DURATION_S}s; ${placement}`);

  const rounds: Array<Record<string, number>> = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const c = baseline ? runCClient(baseline.client, port, 100, DURATION_S) : null;
    const floor = runFloorClient(port, DURATION_S);
    const closed = ['echo', '--target', target, '--connections', '100', '--size', '64'];
    closed.push('--duration', `${DURATION_S}s`, '--warmup', '1s');
    const d = runDriver(closed);
    const other = flags.compareCli ? runDriver(closed, flags.compareCli) : null;
    const c1 = baseline ? runCClient(baseline.client, port, 1, DURATION_S) : null;
    const o = runDriver([
      'echo',
      '--target',
      target,
      '--connections',
      '100',
      '--size',
      '64',
      '--rate',
      '1000',
      '--duration',
      `${DURATION_S}s`,
      '--warmup',
      '1s',
    ]);
    const row = {
      round: k,
      driverMsgsPerSecond: d.messagesPerSecond,
      driverCpuSecondsPerMillion: cpuPerMillion(d),
      driverPassed: d.passed ? 1 : 0,
      cMsgsPerSecond: c?.messagesPerSecond ?? 0,
      cCpuSecondsPerMillion: c ? c.cpuSeconds / ((c.messages * (DURATION_S + 1)) / DURATION_S / 1e6) : 0,
      ratio: c ? d.messagesPerSecond / c.messagesPerSecond : 0,
      floorMsgsPerSecond: floor.messagesPerSecond,
      floorCpuSecondsPerMillion: floor.cpuSecondsPerMillion,
      floorRatio: c ? floor.messagesPerSecond / c.messagesPerSecond : 0,
      driverToFloor: d.messagesPerSecond / floor.messagesPerSecond,
      openLoopP50Us: o.latencyUs.p50Us,
      openLoopP50UncorrectedUs: o.latencyUncorrectedUs.p50Us,
      openLoopP99Us: o.latencyUs.p99Us,
      cOneConnectionP50Us: c1?.latencyP50Us ?? 0,
      ...(other
        ? {
            otherMsgsPerSecond: other.messagesPerSecond,
            otherCpuSecondsPerMillion: cpuPerMillion(other),
            otherRatio: c ? other.messagesPerSecond / c.messagesPerSecond : 0,
            otherPassed: other.passed ? 1 : 0,
          }
        : {}),
    };
    rounds.push(row);
    console.log(
      `round ${k}: driver ${fmt(row.driverMsgsPerSecond)} msgs/s (${fmt(row.driverCpuSecondsPerMillion, 2)} CPU-s/M)` +
        (c
          ? ` | C ${fmt(row.cMsgsPerSecond)} msgs/s (${fmt(row.cCpuSecondsPerMillion, 2)} CPU-s/M) | ` +
            `ratio ${fmt(row.ratio, 2)}`
          : '') +
        ` | node floor ${fmt(row.floorMsgsPerSecond)} msgs/s (${fmt(row.floorCpuSecondsPerMillion, 2)} CPU-s/M` +
        `${c ? `, ratio ${fmt(row.floorRatio, 2)}` : ''})` +
        (other
          ? ` | compared build ${fmt(row.otherMsgsPerSecond!)} msgs/s ` +
            `(${fmt(row.otherCpuSecondsPerMillion!, 2)} CPU-s/M, ratio ${fmt(row.otherRatio!, 2)})`
          : '') +
        ` | open 1000/s p50 ${row.openLoopP50Us} µs (uncorrected ${row.openLoopP50UncorrectedUs}), C 1-conn ` +
        `p50 ${row.cOneConnectionP50Us} µs`,
    );
  }

  const medianOf = (key: string) => median(rounds.map((r) => r[key]!));
  const ratio = medianOf('ratio');
  if (baseline) {
    console.log(
      `closed loop: driver ${fmt(medianOf('driverMsgsPerSecond'))} msgs/s vs C client ` +
        `${fmt(medianOf('cMsgsPerSecond'))}: median ratio ${fmt(ratio, 2)} ` +
        `(target ≥ ${TARGET_RATIO}, ${ratio >= TARGET_RATIO ? 'met' : 'not met'}); the node:net floor client ` +
        `${fmt(medianOf('floorMsgsPerSecond'))} msgs/s, median ratio ${fmt(medianOf('floorRatio'), 2)}; ` +
        `driver/floor ${fmt(medianOf('driverToFloor'), 2)}`,
    );
  }

  // Idle memory: one shard at 18,000, then --idle N over as many shards and servers as it takes (--idle 0: neither).
  const hold18k =
    IDLE === 0
      ? null
      : runDriver(['hold', '--target', target, '--connections', '18000', '--duration', '10s', '--ping-interval', '5s']);
  if (hold18k) {
    console.log(
      `hold 18,000 (1 shard): ${fmt(hold18k.driver.rssBytesPerConnection ?? 0)} B/connection over ` +
        `a ${fmt(hold18k.driver.rssBytesBaseline! / 1048576, 1)} MiB baseline, ` +
        `passed ${hold18k.passed} ${hold18k.failures.join('; ')}`,
    );
  }
  let holdBig: DriverResult | null = null;
  if (IDLE > 18000) {
    const perServer = 17_000;
    const ports = [port];
    // The C server is one process under the 20,000-descriptor limit: start one per 17,000 connections.
    for (let i = 1; i < Math.ceil(IDLE / perServer); i++) {
      ports.push(
        baseline
          ? await startServer(baseline.server, ['--port', '0'])
          : await startServer(process.execPath, ['-e', NODE_ECHO]),
      );
    }
    const targets = ports.flatMap((p) => ['--target', `tcp://127.0.0.1:${p}`]);
    holdBig = runDriver([
      'hold',
      ...targets,
      '--connections',
      String(IDLE),
      '--duration',
      '20s',
      '--ping-interval',
      '10s',
      '--connect-timeout',
      '30s',
    ]);
    console.log(
      `hold ${fmt(IDLE)} (${holdBig.driver.shards} shards): ${fmt(holdBig.driver.rssBytesPerConnection ?? 0)} ` +
        `B/connection, established ${fmt(holdBig.connections.established)}, ` +
        `baseline ${fmt(holdBig.driver.rssBytesBaseline! / 1048576, 1)} MiB, ` +
        `peak ${fmt(holdBig.driver.rssBytesPeak / 1048576, 1)} MiB, ` +
        `passed ${holdBig.passed} ${holdBig.failures.join('; ')}`,
    );
  }

  const summary = {
    driverMsgsPerSecond: medianOf('driverMsgsPerSecond'),
    cMsgsPerSecond: medianOf('cMsgsPerSecond'),
    ratioToC: medianOf('ratio'),
    floorMsgsPerSecond: medianOf('floorMsgsPerSecond'),
    floorRatioToC: medianOf('floorRatio'),
    driverToFloorRatio: medianOf('driverToFloor'),
    floorCpuSecondsPerMillion: medianOf('floorCpuSecondsPerMillion'),
    driverCpuSecondsPerMillion: medianOf('driverCpuSecondsPerMillion'),
    cCpuSecondsPerMillion: medianOf('cCpuSecondsPerMillion'),
    openLoop1000P50Us: medianOf('openLoopP50Us'),
    openLoop1000P50UncorrectedUs: medianOf('openLoopP50UncorrectedUs'),
    cOneConnectionP50Us: medianOf('cOneConnectionP50Us'),
    ...(flags.compareCli
      ? {
          comparedMsgsPerSecond: medianOf('otherMsgsPerSecond'),
          comparedRatioToC: medianOf('otherRatio'),
          comparedCpuSecondsPerMillion: medianOf('otherCpuSecondsPerMillion'),
        }
      : {}),
    ...(hold18k
      ? {
          rssBytesPerIdleConnection18k: hold18k.driver.rssBytesPerConnection ?? 0,
          rssBytesShardBaseline: hold18k.driver.rssBytesBaseline ?? 0,
        }
      : {}),
    ...(holdBig
      ? {
          rssBytesPerIdleConnectionBig: holdBig.driver.rssBytesPerConnection ?? 0,
          idleConnections: holdBig.connections.established,
        }
      : {}),
  };
  console.log('\nmedians:');
  for (const [k, v] of Object.entries(summary))
    console.log(`  ${k.padEnd(32)} ${fmt(v, k.toLowerCase().includes('ratio') || k.includes('PerMillion') ? 2 : 0)}`);
  const outDir = join(root, 'results', 'driver-bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const holdRecord = (r: DriverResult) => ({
    passed: r.passed,
    failures: r.failures,
    driver: r.driver,
    connections: r.connections,
  });
  const holds = {
    ...(hold18k ? { hold18k: holdRecord(hold18k) } : {}),
    ...(holdBig ? { holdBig: holdRecord(holdBig) } : {}),
  };
  const record = { reference, pinning: pinning ?? 'none', rounds, summary, holds, env: captureEnv() };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nwritten ${file}`);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => children.forEach((c) => c.kill('SIGTERM')));
