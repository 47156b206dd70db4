// Idle-memory benchmark (not a test) of the multi-process and multi-loop uWS servers: each case
// starts a server, warms it up (500 connections for a second, a /stats request), records the
// baseline RSS of every process (primary, children), has c1m-load hold --connections idle
// connections from its own process, and records RSS again once all are accepted and the server
// has settled. Prints RSS delta per connection, the baselines (all of RSS,
// and the private part: file pages such as the node binary are shared by every process) and how the
// connections spread over loops/children, per run and as the median over rounds (cases alternate
// within a round, so drift and other load on the machine show up as spread); writes JSON.
//   pnpm --filter @c1m/prefork --filter @c1m/multi-loop --filter @c1m/driver build
//   pnpm --filter @c1m/prefork bench [-- --connections 18000 --cases multi-loop:2:ws,prefork:2:ws --rounds 3
//                                        --node-flags=--max-semi-space-size=1 --json path]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, type FlagTable } from '@c1m/cli';
import { captureEnv, sampleProcessTree } from '@c1m/results';
import { spawnServer, type ServerProcess } from '@c1m/server-contract/conformance';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DRIVER = join(REPO_ROOT, 'clients/driver/dist/cli.js');
/** Time for the server's heap and allocator to settle after the ramp, before RSS is read. */
const SETTLE_MS = 5000;
const WARMUP_CONNECTIONS = 500;

interface Case {
  /** Package directory under servers/ (single-loop works too, as a reference). */
  server: string;
  workers: number;
  transport: 'ws' | 'tcp';
}

interface ProcessMemory {
  pid: number;
  role: 'primary' | 'child';
  baselineRssBytes: number;
  loadedRssBytes: number;
  /** Private (anonymous) resident memory: what this process alone costs. */
  baselinePrivateBytes: number;
  loadedPrivateBytes: number;
}

interface CaseResult extends Case {
  connections: number;
  baselineRssBytes: number;
  loadedRssBytes: number;
  rssBytesPerConnection: number;
  privateBytesPerConnection: number;
  primaryBaselineRssBytes: number;
  childBaselineRssBytes: number[];
  primaryBaselinePrivateBytes: number;
  childBaselinePrivateBytes: number[];
  connectionsBySource: number[];
  processes: ProcessMemory[];
  driverPassed: boolean;
}

/**
 * Resident memory of one process: all of it, and the private (anonymous) part. The rest is file
 * pages (the node binary, uWS's .node) that every server process maps and the kernel keeps once,
 * so for N processes the sum of RSS overstates physical memory by (N - 1) x that part.
 */
function memoryOf(pid: number): { rssBytes: number; privateBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rssBytes: kib('VmRSS'), privateBytes: kib('RssAnon') };
  } catch {
    return { rssBytes: 0, privateBytes: 0 };
  }
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** c1m-load holding `connections` idle for `duration` after its ramp, one ping round near the end. */
function startHold(target: string, connections: number, duration: string): ChildProcess {
  const pingInterval = `${Math.max(1, Number.parseInt(duration, 10) - 1)}s`;
  const args = [
    'hold',
    '--target',
    target,
    '--connections',
    String(connections),
    '--duration',
    duration,
    '--ping-interval',
    pingInterval,
  ];
  return spawn(process.execPath, [DRIVER, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function hold(target: string, connections: number, duration: string): Promise<void> {
  const driver = startHold(target, connections, duration);
  await new Promise((r) => driver.once('exit', r));
}

async function startServer(c: Case, nodeFlags: string): Promise<ServerProcess> {
  // Node flags reach the server (and, through cluster and worker_threads, its children and
  // threads) by NODE_OPTIONS, set only while it is spawned so the driver runs without them.
  const saved = process.env.NODE_OPTIONS;
  if (nodeFlags) process.env.NODE_OPTIONS = nodeFlags;
  try {
    return await spawnServer({
      packageDir: join(REPO_ROOT, 'servers', c.server),
      args: ['--transport', c.transport, '--workers', String(c.workers)],
    });
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  }
}

async function runCase(c: Case, connections: number, nodeFlags: string): Promise<CaseResult> {
  const server = await startServer(c, nodeFlags);
  try {
    const target =
      c.transport === 'ws' ? `ws://127.0.0.1:${server.ready.port}/` : `tcp://127.0.0.1:${server.ready.port}`;
    // Warm-up: the first connections and /stats requests touch code (file pages of node and uWS)
    // and grow heaps once per process. That is part of a process's baseline, not of a connection.
    await hold(target, WARMUP_CONNECTIONS, '1s');
    await server.stats();
    await new Promise((r) => setTimeout(r, 2000));
    const pids = sampleProcessTree(server.ready.pid).pids;
    const baseline = new Map(pids.map((pid) => [pid, memoryOf(pid)]));
    // Held (after the ramp) long enough for the settle and the sample, one ping round at its end;
    // the driver then closes with RST, so no TIME_WAIT is left for the next case.
    const driver = startHold(target, connections, '12s');
    const driverExit = new Promise<number | null>((r) => driver.once('exit', (code) => r(code)));
    try {
      await until(
        `${connections} connections are held`,
        async () => (await server.stats()).connections.current >= connections,
        120_000,
      );
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const stats = await server.stats();
      const processes: ProcessMemory[] = pids.map((pid) => {
        const [before, after] = [baseline.get(pid)!, memoryOf(pid)];
        return {
          pid,
          role: pid === server.ready.pid ? 'primary' : 'child',
          baselineRssBytes: before.rssBytes,
          loadedRssBytes: after.rssBytes,
          baselinePrivateBytes: before.privateBytes,
          loadedPrivateBytes: after.privateBytes,
        };
      });
      const primary = processes.find((p) => p.role === 'primary')!;
      const children = processes.filter((p) => p.role === 'child');
      const sum = (f: (p: ProcessMemory) => number) => processes.reduce((n, p) => n + f(p), 0);
      const held = stats.connections.current;
      const code = await driverExit;
      return {
        ...c,
        connections: held,
        baselineRssBytes: sum((p) => p.baselineRssBytes),
        loadedRssBytes: sum((p) => p.loadedRssBytes),
        rssBytesPerConnection: Math.round((sum((p) => p.loadedRssBytes) - sum((p) => p.baselineRssBytes)) / held),
        privateBytesPerConnection: Math.round(
          (sum((p) => p.loadedPrivateBytes) - sum((p) => p.baselinePrivateBytes)) / held,
        ),
        primaryBaselineRssBytes: primary.baselineRssBytes,
        childBaselineRssBytes: children.map((p) => p.baselineRssBytes),
        primaryBaselinePrivateBytes: primary.baselinePrivateBytes,
        childBaselinePrivateBytes: children.map((p) => p.baselinePrivateBytes),
        connectionsBySource: stats.connectionsBySource ?? [],
        processes,
        driverPassed: code === 0,
      };
    } finally {
      if (driver.exitCode === null && driver.signalCode === null) driver.kill('SIGKILL');
    }
  } finally {
    await server.stop('SIGTERM');
  }
}

interface BenchOptions {
  connections: number;
  cases: string;
  rounds: number;
  nodeFlags: string;
  json: string;
}

const FLAGS: FlagTable<BenchOptions> = {
  connections: {
    flag: 'connections',
    kind: 'int',
    help: 'Idle connections per case (one driver shard holds up to ~18,000)',
    default: 18_000,
    min: 1,
    max: 18_000,
  },
  cases: {
    flag: 'cases',
    kind: 'string',
    help: 'Comma list of server:workers:transport',
    default: 'multi-loop:2:ws,prefork:2:ws,prefork:4:ws,prefork:2:tcp,prefork:4:tcp',
  },
  rounds: {
    flag: 'rounds',
    kind: 'int',
    help: 'Rounds over all cases (the summary is the median)',
    default: 3,
    min: 1,
    max: 10,
  },
  nodeFlags: {
    flag: 'node-flags',
    kind: 'string',
    help: 'Node flags for the server, e.g. --max-semi-space-size=1',
    default: '',
  },
  json: {
    flag: 'json',
    kind: 'string',
    help: 'Result file (relative to the repository root)',
    default: 'results/bench/idle-memory-multi.json',
  },
};

function parseCases(list: string): Case[] {
  return list.split(',').map((item) => {
    const [server, workers, transport] = item.split(':');
    if (!server || (transport !== 'ws' && transport !== 'tcp') || !(Number(workers) >= 1)) {
      throw new Error(`bad case ${item}: expected server:N:ws|tcp (e.g. prefork:4:ws)`);
    }
    return { server, workers: Number(workers), transport };
  });
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function label(c: Case): string {
  return `${c.server} x${c.workers} ${c.transport}`;
}

async function main(): Promise<void> {
  const { options } = parseFlags(FLAGS, process.argv.slice(2));
  const cases = parseCases(options.cases);
  const results: CaseResult[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const c of cases) {
      const r = await runCase(c, options.connections, options.nodeFlags);
      results.push(r);
      const children =
        r.childBaselineRssBytes.length > 0
          ? `  children ${r.childBaselineRssBytes
              .map((b, i) => `${mib(b)} (${mib(r.childBaselinePrivateBytes[i]!)})`)
              .join(', ')}`
          : '';
      process.stdout.write(
        `round ${round}  ${label(r).padEnd(20)} ${String(r.rssBytesPerConnection).padStart(5)} B/conn ` +
          `(private ${r.privateBytesPerConnection}) at ${r.connections}  ` +
          `${mib(r.baselineRssBytes)} -> ${mib(r.loadedRssBytes)}  baselines (private): ` +
          `primary ${mib(r.primaryBaselineRssBytes)} (${mib(r.primaryBaselinePrivateBytes)})${children}  ` +
          `spread [${r.connectionsBySource.join(', ')}]${r.driverPassed ? '' : '  DRIVER FAILED'}\n`,
      );
    }
  }
  const summary = cases.map((c) => {
    const runs = results.filter((r) => label(r) === label(c));
    const perConn = runs.map((r) => r.rssBytesPerConnection);
    return {
      ...c,
      rssBytesPerConnectionMedian: median(perConn),
      rssBytesPerConnectionMin: Math.min(...perConn),
      rssBytesPerConnectionMax: Math.max(...perConn),
      primaryBaselineRssBytesMedian: median(runs.map((r) => r.primaryBaselineRssBytes)),
      primaryBaselinePrivateBytesMedian: median(runs.map((r) => r.primaryBaselinePrivateBytes)),
      childBaselineRssBytesMedian:
        runs[0]!.childBaselineRssBytes.length > 0 ? median(runs.flatMap((r) => r.childBaselineRssBytes)) : null,
      childBaselinePrivateBytesMedian:
        runs[0]!.childBaselinePrivateBytes.length > 0 ? median(runs.flatMap((r) => r.childBaselinePrivateBytes)) : null,
    };
  });
  process.stdout.write(
    `\nmedian over ${options.rounds} round(s)${options.nodeFlags ? `, server node flags ${options.nodeFlags}` : ''}:\n`,
  );
  for (const s of summary) {
    process.stdout.write(
      `${label(s).padEnd(20)} ${String(s.rssBytesPerConnectionMedian).padStart(5)} B/conn ` +
        `(${s.rssBytesPerConnectionMin}-${s.rssBytesPerConnectionMax})  ` +
        `baselines (private): primary ${mib(s.primaryBaselineRssBytesMedian)} ` +
        `(${mib(s.primaryBaselinePrivateBytesMedian)})` +
        `${
          s.childBaselineRssBytesMedian === null
            ? ''
            : `  child ${mib(s.childBaselineRssBytesMedian)} (${mib(s.childBaselinePrivateBytesMedian!)})`
        }\n`,
    );
  }
  const out = resolve(REPO_ROOT, options.json);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      { env: captureEnv(), connections: options.connections, nodeFlags: options.nodeFlags, summary, results },
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
