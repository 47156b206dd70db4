// Style benchmark (not a test) of the two handler-style packages: cpu-bound loop vs offload at
// --cpu-rounds 1 and 100, and io-bound loop vs per-connection, over ws and tcp, 100 closed-loop
// connections each, driven by c1m-load. Cases run one at a time, in alternating rounds so drift
// shows up as spread. Prints a table and writes JSON: messages/s, latency p50/p99, server
// CPU-seconds per million messages, server RSS.
//   pnpm --filter @c1m/cpu-bound --filter @c1m/io-bound --filter @c1m/driver build
//   pnpm --filter @c1m/cpu-bound bench [-- --duration 10s --connections 100 --rounds 1 --json path]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, type FlagTable } from '@c1m/cli';
import { captureEnv } from '@c1m/results';
import { parseDriverResult } from '@c1m/schema';
import { spawnServer } from '@c1m/server-contract/conformance';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = join(REPO_ROOT, 'clients/driver/dist/cli.js');

interface Case {
  server: 'cpu-bound' | 'io-bound';
  style: string;
  transport: 'ws' | 'tcp';
  cpuRounds?: number;
}

const CASES: Case[] = [
  ...(['ws', 'tcp'] as const).flatMap((transport) =>
    [1, 100].flatMap((cpuRounds) =>
      ['loop', 'offload'].map((style) => ({ server: 'cpu-bound' as const, style, transport, cpuRounds })),
    ),
  ),
  ...(['ws', 'tcp'] as const).flatMap((transport) =>
    ['loop', 'per-connection'].map((style) => ({ server: 'io-bound' as const, style, transport })),
  ),
];

interface CaseResult extends Case {
  round: number;
  messagesPerSecond: number;
  latencyP50Us: number;
  latencyP99Us: number;
  serverCpuSecondsPerMillionMessages: number;
  serverRssBytes: number;
  mismatches: number;
  passed: boolean;
}

async function runCase(c: Case, round: number, opts: { duration: string; connections: number }): Promise<CaseResult> {
  const workload = c.server === 'cpu-bound' ? 'cpu' : 'io';
  const rounds = c.cpuRounds ?? 1;
  const server = await spawnServer({
    packageDir: join(REPO_ROOT, 'servers', c.server),
    args: ['--transport', c.transport, '--style', c.style, '--cpu-rounds', String(rounds)],
  });
  const jsonFile = join(tmpdir(), `c1m-styles-${process.pid}-${round}.json`);
  try {
    const before = await server.stats();
    const target =
      c.transport === 'ws' ? `ws://127.0.0.1:${server.ready.port}/` : `tcp://127.0.0.1:${server.ready.port}`;
    // prettier-ignore
    execFileSync(
      process.execPath,
      [
        DRIVER,
        'echo',
        '--target',
        target,
        '--workload',
        workload,
        '--cpu-rounds',
        String(rounds),
        '--connections',
        String(opts.connections),
        '--duration',
        opts.duration,
        '--json',
        jsonFile,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 },
    );
    const after = await server.stats();
    const result = parseDriverResult(JSON.parse(readFileSync(jsonFile, 'utf8')));
    const messages = after.framesOut - before.framesOut;
    return {
      ...c,
      round,
      messagesPerSecond: Math.round(result.messagesPerSecond),
      latencyP50Us: result.latencyUs.p50Us,
      latencyP99Us: result.latencyUs.p99Us,
      serverCpuSecondsPerMillionMessages: Number(
        (((after.cpuSeconds - before.cpuSeconds) / messages) * 1e6).toFixed(2),
      ),
      serverRssBytes: after.rssBytes,
      mismatches: result.messages.mismatches,
      passed: result.passed,
    };
  } finally {
    rmSync(jsonFile, { force: true });
    await server.stop('SIGTERM');
  }
}

interface BenchOptions {
  duration: string;
  connections: number;
  rounds: number;
  json: string;
}

const FLAGS: FlagTable<BenchOptions> = {
  duration: {
    flag: 'duration',
    kind: 'string',
    help: 'Measured time per case (the driver adds its warm-up)',
    default: '10s',
  },
  connections: {
    flag: 'connections',
    kind: 'int',
    help: 'Closed-loop connections per case',
    default: 100,
    min: 1,
    max: 10_000,
  },
  rounds: { flag: 'rounds', kind: 'int', help: 'Rounds over all cases', default: 1, min: 1, max: 10 },
  json: {
    flag: 'json',
    kind: 'string',
    help: 'Result file (relative to the repository root)',
    default: 'results/bench/handler-styles.json',
  },
};

async function main(): Promise<void> {
  const { options: values } = parseFlags(FLAGS, process.argv.slice(2));
  const results: CaseResult[] = [];
  for (let round = 1; round <= values.rounds; round++) {
    for (const c of CASES) {
      const r = await runCase(c, round, { duration: values.duration, connections: values.connections });
      results.push(r);
      const label = `${r.server} ${r.style} ${r.transport}${r.cpuRounds ? ` rounds=${r.cpuRounds}` : ''}`;
      process.stdout.write(
        `${label.padEnd(40)} ${String(r.messagesPerSecond).padStart(8)} msg/s  ` +
          `p50 ${String(r.latencyP50Us).padStart(6)} µs  p99 ${String(r.latencyP99Us).padStart(6)} µs  ` +
          `${String(r.serverCpuSecondsPerMillionMessages).padStart(7)} cpu-s/M  ` +
          `rss ${(r.serverRssBytes / 2 ** 20).toFixed(0)} MiB${r.passed ? '' : '  FAILED'}\n`,
      );
    }
  }
  const out = resolve(REPO_ROOT, values.json);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      { env: captureEnv(), connections: values.connections, duration: values.duration, results },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
