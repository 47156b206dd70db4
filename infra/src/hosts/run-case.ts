// One bench:hosts case: the server pod on the server host, one load-Job pod per load host, all
// started from infra/k8s as a cluster would start them, each slice's log kept as `kubectl logs`
// would show it, then merged with the same command run.sh uses (`c1m-load merge DIR`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverResult } from '@c1m/schema';
import { repoRoot } from '../lib/paths.ts';
import { spawnTracked, stopTracked, type Tracked } from '../run/processes.ts';
import type { SimHost, SimNetwork } from './network.ts';
import { loadPod, runConfigMap, serverPod, type PodCommand } from './pods.ts';

/** Slice processes still running (each the leader of its own process group). */
const slices = new Set<ChildProcess>();

/** SIGKILL to every slice process group still running (Ctrl-C, a failed case). */
export function killSlices(): void {
  for (const child of slices) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** What one case measured and where its files are. */
export interface HostsCaseOutcome {
  name: string;
  dir: string;
  /** The merged result (null when the merge refused: see mergeOutput). */
  merged: DriverResult | null;
  /** Each slice's own result, read back from its log as merge reads it. */
  slices: Array<{ host: SimHost; code: number | null; result: DriverResult | null }>;
  mergeCode: number | null;
  mergeOutput: string;
  /** The command line of load pod 0 (every pod runs the same, with its own index). */
  loadCommand: string[];
  serverCommand: string[];
}

function setPodSysctls(net: SimNetwork, host: SimHost, pod: PodCommand): void {
  for (const s of pod.sysctls) net.setSysctl(host, s.name, s.value);
}

async function startServer(net: SimNetwork, pod: PodCommand, dir: string, timeoutMs: number): Promise<Tracked> {
  setPodSysctls(net, net.server, pod);
  const server = spawnTracked([...net.execPrefix(net.server), ...pod.argv], { cwd: repoRoot, env: pod.env });
  const log: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server printed no ready line in ${timeoutMs} ms: ${server.stderrTail()}`)),
      timeoutMs,
    );
    server.onLine((line) => {
      log.push(line);
      // Not *.log: merge reads every *.log of the directory as a slice's log.
      writeFileSync(join(dir, 'server.out'), `${log.join('\n')}\n`);
      if (line.startsWith('{') && (JSON.parse(line) as { event?: string }).event === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    void server.exited.then(({ code }) =>
      reject(new Error(`the server exited (code ${code}) before it was ready: ${server.stderrTail()}`)),
    );
  });
  try {
    await ready;
  } catch (err) {
    await stopTracked(server, 2000);
    throw err;
  }
  return server;
}

function startSlice(net: SimNetwork, host: SimHost, pod: PodCommand, logFile: string): Promise<number | null> {
  setPodSysctls(net, host, pod);
  const fd = openSync(logFile, 'w');
  // stdout and stderr into one file, as a container runtime logs them.
  const argv = [...net.execPrefix(host), ...pod.argv];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    env: pod.env,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  slices.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      slices.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      slices.delete(child);
      resolve(null);
    });
  });
}

/** The slice result line of a pod log (what merge reads), or null. */
function resultOf(logFile: string): DriverResult | null {
  const line = readFileSync(logFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('{"tool":"c1m-load"'));
  return line === undefined ? null : (JSON.parse(line) as DriverResult);
}

/**
 * Runs one case: `values` go into the c1m-run ConfigMap (scenario, connections, durations,
 * server); the start barrier is `leadMs` after the server is ready; `timeoutMs` bounds the slices.
 */
export async function runHostsCase(
  net: SimNetwork,
  name: string,
  values: Record<string, string>,
  dir: string,
  leadMs: number,
  timeoutMs: number,
): Promise<HostsCaseOutcome> {
  const completions = net.loadHosts.length;
  const server = await startServer(net, serverPod(runConfigMap(values), net.server.hostname), dir, 30_000);
  let codes: Array<number | null>;
  let loadCommand: string[] = [];
  try {
    const configMaps = runConfigMap({ ...values, C1M_START_AT: new Date(Date.now() + leadMs).toISOString() });
    const running = net.loadHosts.map((host, i) => {
      const pod = loadPod(configMaps, i, completions, host.hostname);
      if (i === 0) loadCommand = pod.argv;
      return startSlice(net, host, pod, join(dir, `slice-${i}.log`));
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const all = await Promise.race([Promise.all(running), timedOut]);
    clearTimeout(timer);
    if (all === 'timeout') {
      killSlices();
      codes = await Promise.all(running);
    } else codes = all;
  } finally {
    await stopTracked(server, 10_000);
  }
  // The command run.sh runs (`pnpm merge-results DIR`), here without pnpm in between.
  const merge = spawnSync(process.execPath, [join(repoRoot, 'clients', 'driver', 'dist', 'cli.js'), 'merge', dir], {
    encoding: 'utf8',
  });
  writeFileSync(join(dir, 'merge.txt'), `${merge.stdout}${merge.stderr}`);
  let merged: DriverResult | null = null;
  try {
    merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as DriverResult;
  } catch {
    merged = null;
  }
  return {
    name,
    dir,
    merged,
    slices: net.loadHosts.map((host, i) => ({
      host,
      code: codes[i] ?? null,
      result: resultOf(join(dir, `slice-${i}.log`)),
    })),
    mergeCode: merge.status,
    mergeOutput: `${merge.stdout}${merge.stderr}`,
    loadCommand,
    serverCommand: serverPod(runConfigMap(values), net.server.hostname).argv,
  };
}
