// The six HTTP cases of tcpserver's benchmark (protocol README 3.7) as bench:all scenarios, and
// the shape of the outside reference (autocannon) that case 2 is also driven by.

/** Scenario ids of the six cases, in case order. */
export const HTTP_SCENARIOS = [
  'http-static-close',
  'http-static',
  'http-aes-close',
  'http-aes',
  'http-sleep',
  'http-16k-close',
] as const;
export type HttpScenarioId = (typeof HTTP_SCENARIOS)[number];

/** What each case runs: the server's workload and body, and the client's keep-alive. */
export const HTTP_CASES: Record<
  HttpScenarioId,
  { number: number; workload: 'static' | 'aes' | 'sleep'; bodySize: number; sleepMs?: number; keepAlive: boolean }
> = {
  'http-static-close': { number: 1, workload: 'static', bodySize: 1024, keepAlive: false },
  'http-static': { number: 2, workload: 'static', bodySize: 1024, keepAlive: true },
  'http-aes-close': { number: 3, workload: 'aes', bodySize: 1024, keepAlive: false },
  'http-aes': { number: 4, workload: 'aes', bodySize: 1024, keepAlive: true },
  'http-sleep': { number: 5, workload: 'sleep', bodySize: 128, sleepMs: 1, keepAlive: true },
  'http-16k-close': { number: 6, workload: 'static', bodySize: 16_384, keepAlive: false },
};

/** Section titles of the six cases in the summary and the report. */
export const HTTP_TITLES: Record<HttpScenarioId, string> = {
  'http-static-close': 'HTTP case 1 — static 1 kB body, keep-alive off (a new connection per request)',
  'http-static': 'HTTP case 2 — static 1 kB body, keep-alive on (and autocannon against the same server)',
  'http-aes-close': 'HTTP case 3 — 1 kB body AES-128-CBC-encrypted per request, keep-alive off',
  'http-aes': 'HTTP case 4 — 1 kB body AES-128-CBC-encrypted per request, keep-alive on',
  'http-sleep': 'HTTP case 5 — 128 B body after a 1 ms asynchronous sleep, keep-alive on',
  'http-16k-close': 'HTTP case 6 — static 16 kB body, keep-alive off',
};

/** The case autocannon drives too (static 1 kB, keep-alive on). */
export const REFERENCE_SCENARIO: HttpScenarioId = 'http-static';

/** True for the six http scenarios. */
export function isHttpScenario(scenario: string): scenario is HttpScenarioId {
  return (HTTP_SCENARIOS as readonly string[]).includes(scenario);
}

/** An outside load tool's run against the case's server, and how c1m's driver compares with it. */
export interface ReferenceLoad {
  tool: 'autocannon';
  version: string;
  command: string[];
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyP50Us: number;
  latencyP99Us: number;
  /** Responses that were not 2xx, connection errors and timeouts autocannon counted. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** c1m's requests/s divided by autocannon's (the target is ≥ 0.8). */
  driverToReferenceRequestsRatio?: number;
  /** c1m's p99 divided by autocannon's. */
  driverToReferenceP99Ratio?: number;
  /** Why there is no figure (autocannon missing, failed, or unreadable). */
  error?: string;
}
