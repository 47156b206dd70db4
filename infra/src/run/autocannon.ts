// The outside reference of http case 2: autocannon (npm) drives the same server right after
// c1m's driver did, with the same connections and duration, so a reader sees whether c1m's HTTP
// client or the server was the limit. Its JSON output is read, never its human table.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DriverResult } from '@c1m/schema';
import type { CaseSpec } from '../model/case-result.ts';
import type { ReferenceLoad } from '../model/http-scenarios.ts';
import { spawnTracked, stopTracked } from './processes.ts';

/** The fields of autocannon's --json output that are read. */
interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** autocannon's CLI script and version, or the reason it cannot be found. */
function locate(): { script: string; version: string } | { error: string } {
  try {
    const req = createRequire(import.meta.url);
    const pkgPath = req.resolve('autocannon/package.json');
    return { script: join(dirname(pkgPath), 'autocannon.js'), version: (req(pkgPath) as { version: string }).version };
  } catch (err) {
    return { error: `autocannon is not installed (${(err as Error).message.split('\n')[0]}); run pnpm install` };
  }
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Runs autocannon against `port` with the case's connections for its duration (whole seconds,
 * at least 1; autocannon has no warm-up, so c1m's measured window is the comparison) and returns
 * its figures beside c1m's. `wrap` adds CPU pinning to the command. Never throws.
 */
export async function runAutocannon(
  spec: CaseSpec,
  port: number,
  driver: DriverResult | undefined,
  wrap: (command: string[]) => string[],
): Promise<ReferenceLoad> {
  const durationSeconds = Math.max(1, Math.round(spec.durationSeconds));
  const found = locate();
  const base = {
    tool: 'autocannon' as const,
    connections: spec.connections,
    durationSeconds,
    requestsPerSecond: 0,
    latencyP50Us: 0,
    latencyP99Us: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
  };
  if ('error' in found) return { ...base, version: 'missing', command: [], error: found.error };
  const command = wrap([
    process.execPath,
    found.script,
    '--json',
    '--connections',
    String(spec.connections),
    '--duration',
    String(durationSeconds),
    `http://127.0.0.1:${port}/`,
  ]);
  const tracked = spawnTracked(command);
  const lines: string[] = [];
  tracked.onLine((l) => lines.push(l));
  const timer = setTimeout(() => void stopTracked(tracked, 5000), (durationSeconds + 30) * 1000);
  const end = await tracked.exited;
  clearTimeout(timer);
  const reference: ReferenceLoad = { ...base, version: found.version, command };
  try {
    const json = JSON.parse(lines.find((l) => l.startsWith('{')) ?? '') as AutocannonJson;
    Object.assign(reference, {
      requestsPerSecond: round(json.requests.average, 1),
      latencyP50Us: Math.round(json.latency.p50 * 1000),
      latencyP99Us: Math.round(json.latency.p99 * 1000),
      non2xx: json.non2xx,
      errors: json.errors,
      timeouts: json.timeouts,
    });
  } catch {
    return {
      ...reference,
      error: `no JSON from autocannon (exit ${end.signal ?? end.code}): ${tracked.stderrTail().trim().slice(-400)}`,
    };
  }
  if (driver && reference.requestsPerSecond > 0)
    reference.driverToReferenceRequestsRatio = round(driver.messagesPerSecond / reference.requestsPerSecond);
  if (driver && reference.latencyP99Us > 0)
    reference.driverToReferenceP99Ratio = round(driver.latencyUs.p99Us / reference.latencyP99Us);
  return reference;
}
