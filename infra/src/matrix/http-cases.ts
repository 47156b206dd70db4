// The six http cases in the bench:all matrix: one draft per case for each server that serves
// http, sized by the profile, and the server's and driver's flags for them.
import type { CaseSpec } from '../model/case-result.ts';
import { HTTP_CASES, HTTP_SCENARIOS } from '../model/http-scenarios.ts';
import type { Profile } from './profiles.ts';

type Draft = Omit<CaseSpec, 'id' | 'key' | 'repetition'>;

/** The six cases for one server. */
export function httpDrafts(server: string, p: Profile): Draft[] {
  const caps =
    p.httpConnections < 1000
      ? [
          `http cases run at ${p.httpConnections.toLocaleString('en-US')} clients ` +
            `for ${p.httpSeconds}s: ${p.name} profile (tcpserver's: 1,000 for 10s)`,
        ]
      : [];
  return HTTP_SCENARIOS.map((scenario) => {
    const c = HTTP_CASES[scenario];
    return {
      server,
      scenario,
      transport: 'http' as const,
      workload: c.workload,
      sizeBytes: c.bodySize,
      http: {
        bodySize: c.bodySize,
        keepAlive: c.keepAlive,
        ...(c.sleepMs === undefined ? {} : { sleepMs: c.sleepMs }),
      },
      connections: p.httpConnections,
      durationSeconds: p.httpSeconds,
      warmupSeconds: p.warmupSeconds,
      pipeline: 1,
      caps: [...caps],
    };
  });
}

/** Server flags of an http case (after --transport http --workload W). */
export function httpServerArgs(http: NonNullable<CaseSpec['http']>): string[] {
  return [
    '--body-size',
    String(http.bodySize),
    ...(http.sleepMs === undefined ? [] : ['--sleep', `${http.sleepMs}ms`]),
  ];
}

/** Driver flags of an http case (after the scenario name). */
export function httpDriverArgs(spec: CaseSpec, http: NonNullable<CaseSpec['http']>): string[] {
  return [
    '--connections',
    String(spec.connections),
    '--duration',
    `${spec.durationSeconds}s`,
    '--warmup',
    `${Math.round(spec.warmupSeconds * 1000)}ms`,
    '--workload',
    spec.workload,
    '--body-size',
    String(http.bodySize),
    '--keep-alive',
    http.keepAlive ? 'on' : 'off',
  ];
}
