// Starts one server of a case (a Node architecture or the C baseline), waits for its ready line,
// reads its stats, and stops it with SIGTERM, checking for a clean exit.
import { join } from 'node:path';
import {
  jsonObjectLine,
  parseBaselineStatsLine,
  parseClosedLine,
  parseReadyLine,
  parseServerStats,
  type BaselineStatsLine,
  type ClosedLine,
  type ReadyLine,
} from '@c1m/schema';
import type { CaseSpec, ServerStatsSnapshot } from '../model/case-result.ts';
import { BASELINE_SERVER } from '../model/case-result.ts';
import { repoRoot } from '../lib/paths.ts';
import { httpServerArgs } from '../matrix/http-cases.ts';
import { spawnTracked, type StopOutcome, stopTracked, type Tracked } from './processes.ts';

/** A server that printed its ready line. */
export interface RunningServer {
  tracked: Tracked;
  ready: ReadyLine;
  /** Current counters, or undefined when the server did not answer in time. */
  stats(): Promise<ServerStatsSnapshot | undefined>;
  closedLine(): ClosedLine | undefined;
}

/** The server's argv for a case. `baselineServer` is the compiled C server. */
export function serverCommand(spec: CaseSpec, drainTimeoutSeconds: number, baselineServer?: string): string[] {
  if (spec.server === BASELINE_SERVER) {
    if (!baselineServer) throw new Error('baseline case without a compiled C server');
    const http = spec.http ? ['--http', '--body-size', String(spec.http.bodySize)] : [];
    const workers = spec.workers !== undefined ? ['--workers', String(spec.workers)] : [];
    return [baselineServer, '--host', '127.0.0.1', '--port', '0', ...http, ...workers];
  }
  const args = [
    process.execPath,
    join(repoRoot, 'servers', spec.server, 'dist', 'main.js'),
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--stats-port',
    '0',
    '--transport',
    spec.transport,
    '--workload',
    spec.workload,
    '--drain-timeout',
    `${drainTimeoutSeconds}s`,
  ];
  if (spec.workers !== undefined) args.push('--workers', String(spec.workers));
  if (spec.http) args.push(...httpServerArgs(spec.http));
  if (spec.tls) args.push('--tls');
  if (spec.style !== undefined) args.push('--style', spec.style);
  return args;
}

/**
 * Starts the server and resolves once its ready line arrives; rejects when it exits first,
 * `timeoutMs` passes or the ready line is not of the schema's shape (the process is then stopped).
 */
export async function startServer(command: string[], spec: CaseSpec, timeoutMs: number): Promise<RunningServer> {
  const tracked = spawnTracked(command, { cwd: repoRoot });
  let closed: ClosedLine | undefined;
  const statsWaiters: Array<(s: BaselineStatsLine) => void> = [];
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs / 1000}s`)), timeoutMs);
    tracked.onLine((line) => {
      const event = jsonObjectLine(line);
      try {
        if (event?.event === 'ready') {
          clearTimeout(timer);
          resolve(parseReadyLine(event));
        } else if (event?.event === 'closed') closed = parseClosedLine(event);
        else if (event?.event === 'stats') statsWaiters.shift()?.(parseBaselineStatsLine(event));
      } catch (err) {
        clearTimeout(timer);
        reject(err as Error);
      }
    });
    void tracked.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `server exited (${signal ?? code}) before its ready line: ${tracked.stderrTail().trim().slice(-600)}`,
        ),
      );
    });
  }).catch(async (err: unknown) => {
    await stopTracked(tracked, 2000);
    throw err;
  });

  const frameBytes = 4 + spec.sizeBytes;
  const stats = async (): Promise<ServerStatsSnapshot | undefined> => {
    if (tracked.hasExited()) return undefined;
    if (typeof ready.statsPort === 'number') {
      let body: unknown;
      try {
        const res = await fetch(`http://127.0.0.1:${ready.statsPort}/stats`, { signal: AbortSignal.timeout(1500) });
        body = await res.json();
      } catch {
        return undefined;
      }
      // An answer of the wrong shape is a bug in the server, not a slow server: it fails the case.
      return parseServerStats(body);
    }
    // The C server answers SIGUSR1 with a stats line of byte counters: fixed-size echo frames, or
    // in --http mode its own request and response counts.
    const line = await new Promise<BaselineStatsLine | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 1000);
      statsWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      tracked.child.kill('SIGUSR1');
    });
    if (!line) return undefined;
    return {
      connections: line.connections,
      bytesIn: line.bytesIn,
      bytesOut: line.bytesOut,
      refusedConnections: line.refusedConnections,
      framesIn: line.framesIn ?? Math.floor(Number(line.bytesIn) / frameBytes),
      framesOut: line.framesOut ?? Math.floor(Number(line.bytesOut) / frameBytes),
      ...(line.badRequests === undefined ? {} : { protocolErrors: { C1M_HTTP_BAD_REQUEST: line.badRequests } }),
    };
  };
  return { tracked, ready, stats, closedLine: () => closed };
}

/** SIGTERM and wait: the server should drain and exit 0 within its drain timeout. */
export async function stopServer(server: RunningServer, drainTimeoutSeconds: number): Promise<StopOutcome> {
  return stopTracked(server.tracked, (drainTimeoutSeconds + 5) * 1000);
}
