// The driver's efficiency figures (issue 4), measured against the C baseline pair of
// infra/baseline when a C compiler is present (else against a node:net echo server, said so):
// - msgs/s at 100 connections, 64 B bodies, closed loop, beside the C client's (A B A B rounds,
//   because this shared machine's speed drifts by 2-3x within minutes);
// - driver CPU-seconds per million messages beside the C client's;
// - p50 at 1000 msgs/s open loop beside the C client's one-connection round trip;
// - RSS per idle connection (hold) at 18,000 connections (one shard) and at --idle N (default 100,000).
// Run: pnpm --filter @c1m/driver build && pnpm --filter @c1m/driver bench [-- --rounds 3 --idle 100000]
// Not a test: prints a table and writes results/driver-bench/<time>.json (git-ignored).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { captureEnv } from '@c1m/results';
import { parseDriverResult, type DriverResult } from '@c1m/schema';

const here = dirname(fileURLToPath(import.meta.url));
const driverDir = join(here, '..');
const root = join(driverDir, '..', '..');
const cli = join(driverDir, 'dist', 'cli.js');

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    idle: { type: 'string', default: '100000' },
  },
});
const ROUNDS = Number(flags.rounds);
const DURATION_S = Number(flags.duration);
const IDLE = Number(flags.idle);

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

/** The C baseline binaries, compiled into a temp dir, or null without a compiler. */
function buildBaseline(): { server: string; client: string } | null {
  const cc = ['cc', 'gcc'].find((c) => {
    try {
      execFileSync('which', [c], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!cc) return null;
  const out = mkdtempSync(join(tmpdir(), 'c1m-baseline-'));
  for (const name of ['echo-server', 'echo-client']) {
    execFileSync(cc, ['-O2', '-std=gnu11', '-o', join(out, name), join(root, 'infra', 'baseline', `${name}.c`)]);
  }
  return { server: join(out, 'echo-server'), client: join(out, 'echo-client') };
}

/** Starts a server process and resolves with its port from the JSON ready line. */
function startServer(command: string, args: string[]): Promise<number> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
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

function runDriver(args: string[]): DriverResult {
  const json = join(mkdtempSync(join(tmpdir(), 'c1m-bench-')), 'r.json');
  try {
    execFileSync(process.execPath, [cli, ...args, '--json', json], {
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

function runCClient(client: string, port: number, connections: number, seconds: number): CResult {
  const out = execFileSync(client, [
    '--port',
    String(port),
    '--connections',
    String(connections),
    '--size',
    '64',
    '--duration',
    String(seconds),
    '--warmup',
    '1',
  ]);
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
  console.log(`reference: ${reference}; ${ROUNDS} interleaved rounds of ${DURATION_S}s`);

  const rounds: Array<Record<string, number>> = [];
  for (let k = 1; k <= ROUNDS; k++) {
    const c = baseline ? runCClient(baseline.client, port, 100, DURATION_S) : null;
    const d = runDriver([
      'echo',
      '--target',
      target,
      '--connections',
      '100',
      '--size',
      '64',
      '--duration',
      `${DURATION_S}s`,
      '--warmup',
      '1s',
    ]);
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
      openLoopP50Us: o.latencyUs.p50Us,
      openLoopP50UncorrectedUs: o.latencyUncorrectedUs.p50Us,
      openLoopP99Us: o.latencyUs.p99Us,
      cOneConnectionP50Us: c1?.latencyP50Us ?? 0,
    };
    rounds.push(row);
    console.log(
      `round ${k}: driver ${fmt(row.driverMsgsPerSecond)} msgs/s (${fmt(row.driverCpuSecondsPerMillion, 2)} CPU-s/M)` +
        (c
          ? ` | C ${fmt(row.cMsgsPerSecond)} msgs/s (${fmt(row.cCpuSecondsPerMillion, 2)} CPU-s/M) | ` +
            `ratio ${fmt(row.ratio, 2)}`
          : '') +
        ` | open 1000/s p50 ${row.openLoopP50Us} µs (uncorrected ${row.openLoopP50UncorrectedUs}), C 1-conn ` +
        `p50 ${row.cOneConnectionP50Us} µs`,
    );
  }

  // Idle memory: one shard at 18,000, then --idle N over as many shards and servers as it takes.
  const hold18k = runDriver([
    'hold',
    '--target',
    target,
    '--connections',
    '18000',
    '--duration',
    '10s',
    '--ping-interval',
    '5s',
  ]);
  console.log(
    `hold 18,000 (1 shard): ${fmt(hold18k.driver.rssBytesPerConnection ?? 0)} B/connection over ` +
      `a ${fmt(hold18k.driver.rssBytesBaseline! / 1048576, 1)} MiB baseline, ` +
      `passed ${hold18k.passed} ${hold18k.failures.join('; ')}`,
  );
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
    driverMsgsPerSecond: median(rounds.map((r) => r.driverMsgsPerSecond)),
    cMsgsPerSecond: median(rounds.map((r) => r.cMsgsPerSecond)),
    ratioToC: median(rounds.map((r) => r.ratio)),
    driverCpuSecondsPerMillion: median(rounds.map((r) => r.driverCpuSecondsPerMillion)),
    cCpuSecondsPerMillion: median(rounds.map((r) => r.cCpuSecondsPerMillion)),
    openLoop1000P50Us: median(rounds.map((r) => r.openLoopP50Us)),
    openLoop1000P50UncorrectedUs: median(rounds.map((r) => r.openLoopP50UncorrectedUs)),
    cOneConnectionP50Us: median(rounds.map((r) => r.cOneConnectionP50Us)),
    rssBytesPerIdleConnection18k: hold18k.driver.rssBytesPerConnection ?? 0,
    rssBytesShardBaseline: hold18k.driver.rssBytesBaseline ?? 0,
    ...(holdBig
      ? {
          rssBytesPerIdleConnectionBig: holdBig.driver.rssBytesPerConnection ?? 0,
          idleConnections: holdBig.connections.established,
        }
      : {}),
  };
  console.log('\nmedians:');
  for (const [k, v] of Object.entries(summary))
    console.log(`  ${k.padEnd(32)} ${fmt(v, k.includes('ratio') || k.includes('PerMillion') ? 2 : 0)}`);
  const outDir = join(root, 'results', 'driver-bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const holds = {
    hold18k: {
      passed: hold18k.passed,
      failures: hold18k.failures,
      driver: hold18k.driver,
      connections: hold18k.connections,
    },
    ...(holdBig
      ? {
          holdBig: {
            passed: holdBig.passed,
            failures: holdBig.failures,
            driver: holdBig.driver,
            connections: holdBig.connections,
          },
        }
      : {}),
  };
  writeFileSync(file, `${JSON.stringify({ reference, rounds, summary, holds, env: captureEnv() }, null, 2)}\n`);
  console.log(`\nwritten ${file}`);
}

main()
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => children.forEach((c) => c.kill('SIGTERM')));
