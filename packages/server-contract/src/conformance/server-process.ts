// Starts a built server package as a real process and talks to it the way a user does: waits for
// the ready line, reads /stats over HTTP, stops it with a signal and collects the closed line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import {
  jsonObjectLine,
  parseClosedLine,
  parseReadyLine,
  parseServerStats,
  type ClosedLine,
  type ReadyLine,
  type ServerStats,
} from '@c1m/schema';
import { ensureServerBuilt } from './fresh-build.ts';

/** A running server process. */
export interface ServerProcess {
  child: ChildProcess;
  /** The ready line, validated by @c1m/schema (a Node server always has a stats port). */
  ready: ReadyLine & { statsPort: number };
  /** Every stdout line so far. */
  lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  stats(): Promise<ServerStats>;
  /** Sends the signal and resolves with the exit code and the closed line (if printed). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; closed: ClosedLine | undefined }>;
}

/** How to start the server under test. */
export interface SpawnOptions {
  /** Absolute path of the server package (its dist/main.js is run). */
  packageDir: string;
  args: string[];
  /** Runs the server under `prlimit --nofile=N:N` to test the descriptor budget. */
  nofile?: number;
  readyTimeoutMs?: number;
  /** Extra environment variables (e.g. C1M_FAULT_INJECTION=1 for the fault tests). */
  env?: Record<string, string>;
}

/**
 * Spawns `node dist/main.js --port 0 --stats-port 0 …args` (rebuilt first if any source is newer)
 * and waits for its ready line; every line read back is schema-checked.
 */
export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  ensureServerBuilt(opts.packageDir);
  const main = join(opts.packageDir, 'dist', 'main.js');
  const env = { ...process.env, ...opts.env };
  const nodeArgs = [main, '--port', '0', '--stats-port', '0', ...opts.args];
  const child =
    opts.nofile === undefined
      ? spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn('prlimit', [`--nofile=${opts.nofile}:${opts.nofile}`, process.execPath, ...nodeArgs], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env,
        });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stdoutClosed = new Promise<void>((resolve) => child.stdout!.once('close', () => resolve()));
  const ready = await new Promise<ServerProcess['ready']>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${opts.readyTimeoutMs ?? 15000} ms; stderr: ${stderr}`)),
      opts.readyTimeoutMs ?? 15_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const event = jsonObjectLine(line);
      if (event?.event !== 'ready') return;
      clearTimeout(timer);
      try {
        const parsed = parseReadyLine(event);
        if (parsed.statsPort === null) throw new Error("a Node server's ready line must carry its statsPort");
        resolve({ ...parsed, statsPort: parsed.statsPort });
      } catch (err) {
        reject(err as Error);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before ready; stderr: ${stderr}`));
    });
  });
  return {
    child,
    ready,
    lines,
    stderr: () => stderr,
    stats: async () => {
      const res = await fetch(`http://127.0.0.1:${ready.statsPort}/stats`);
      if (!res.ok) throw new Error(`/stats answered ${res.status}`);
      return parseServerStats(await res.json());
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      // 'exit' may come before the last stdout line (the closed line) has been read: wait for stdout
      // to close too, bounded in case a process the server started still holds it.
      await Promise.race([stdoutClosed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      const closed = lines.map(jsonObjectLine).find((e) => e?.event === 'closed');
      return { code, closed: closed && parseClosedLine(closed) };
    },
  };
}
