// Runs the load of a case: the c1m-load driver (clients/driver) against a server, or the C
// client against the C server for the c-pair case. Each run is bounded in time.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDriverResult, type DriverResult } from '@c1m/schema';
import type { BaselineClientResult, CaseSpec } from '../model/case-result.ts';
import { repoRoot } from '../lib/paths.ts';
import { httpDriverArgs } from '../matrix/http-cases.ts';
import { spawnTracked, stopTracked, type Tracked } from './processes.ts';

/** Path of the bundled driver CLI. */
export const DRIVER_CLI = join(repoRoot, 'clients', 'driver', 'dist', 'cli.js');

/** The driver's argv for a case against `target`, writing its result to `jsonFile`. */
export function driverCommand(spec: CaseSpec, target: string, jsonFile: string, connectRate: number): string[] {
  const args = [process.execPath, DRIVER_CLI];
  switch (spec.scenario) {
    case 'hold':
    case 'tls-hold':
      args.push(
        'hold',
        '--connections',
        String(spec.connections),
        '--duration',
        `${spec.durationSeconds}s`,
        '--ping-interval',
        `${spec.pingIntervalSeconds ?? 10}s`,
      );
      if (spec.pingKind) args.push('--ping-kind', spec.pingKind);
      break;
    case 'short':
      args.push(
        'short',
        '--concurrency',
        String(spec.connections),
        '--loops',
        String(spec.loops ?? 1),
        '--size',
        String(spec.sizeBytes),
      );
      break;
    default:
      if (spec.http) {
        args.push('echo', ...httpDriverArgs(spec, spec.http));
        break;
      }
      args.push(
        'echo',
        '--connections',
        String(spec.connections),
        '--duration',
        `${spec.durationSeconds}s`,
        '--warmup',
        `${Math.round(spec.warmupSeconds * 1000)}ms`,
        '--pipeline',
        String(spec.pipeline ?? 1),
        '--size',
        String(spec.sizeBytes),
        '--workload',
        spec.workload,
      );
  }
  args.push('--target', target, '--connect-rate', String(connectRate), '--json', jsonFile);
  return args;
}

/** The C client's argv for the c-pair case. */
export function baselineClientCommand(spec: CaseSpec, client: string, port: number): string[] {
  return [
    client,
    '--port',
    String(port),
    '--connections',
    String(spec.connections),
    '--size',
    String(spec.sizeBytes),
    '--duration',
    String(spec.durationSeconds),
    '--warmup',
    String(spec.warmupSeconds),
  ];
}

/** Longest a case's load may take before it is stopped: its planned time plus generous slack. */
export function loadTimeoutSeconds(spec: CaseSpec, connectRate: number): number {
  const connect = spec.connections / Math.max(1, connectRate);
  const planned =
    spec.scenario === 'short'
      ? (spec.loops ?? 1) * (2 + spec.connections / 2000)
      : spec.durationSeconds + spec.warmupSeconds;
  return Math.ceil(30 + 2 * (connect + planned));
}

/** How a load process ended, with what it wrote. */
export interface LoadOutcome {
  tracked: Tracked;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  driver?: DriverResult;
  baselineClient?: BaselineClientResult;
  parseError?: string;
}

/** Starts the load process; `done` resolves when it ends (or was stopped after `timeoutSeconds`). */
export function startLoad(
  command: string[],
  timeoutSeconds: number,
  jsonFile?: string,
): { tracked: Tracked; done: Promise<LoadOutcome> } {
  const tracked = spawnTracked(command, { cwd: repoRoot });
  const stdout: string[] = [];
  tracked.onLine((l) => stdout.push(l));
  const done = (async (): Promise<LoadOutcome> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutSeconds * 1000);
    });
    const first = await Promise.race([tracked.exited, timeout]);
    clearTimeout(timer);
    const timedOut = first === 'timeout';
    const end = timedOut ? await stopTracked(tracked, 5000) : first;
    const out: LoadOutcome = { tracked, code: end.code, signal: end.signal, timedOut };
    try {
      if (jsonFile) {
        if (existsSync(jsonFile)) out.driver = parseDriverResult(JSON.parse(readFileSync(jsonFile, 'utf8')));
      } else {
        const line = stdout.find((l) => l.startsWith('{'));
        if (line) out.baselineClient = JSON.parse(line) as BaselineClientResult;
      }
    } catch (err) {
      out.parseError = (err as Error).message;
    }
    return out;
  })();
  return { tracked, done };
}
