// The cases of `pnpm bench:c1m`: the million over WebSocket to prefork, the same over TCP when
// memory allows, then the single-process architectures at their descriptor ceiling.
import type { CaseSpec } from '../model/case-result.ts';

/** Settings of a bench:c1m run. */
export interface C1mSettings {
  connections: number;
  holdSeconds: number;
  pingIntervalSeconds: number;
  connectRate: number;
  /** prefork processes; 0 = enough that each stays well under its descriptor budget. */
  workers: number;
  /** How ws connections prove themselves alive (tcp always echoes). */
  pingKind: 'echo' | 'ws-ping';
  /** Connections one process may hold here (RLIMIT_NOFILE minus the contract's reserve). */
  perProcessBudget: number;
}

/** Fill each prefork child to at most this share of its budget: SO_REUSEPORT spreads by hash, not evenly. */
export const CHILD_FILL = 0.9;

/** prefork processes needed for `connections`. */
export function preforkWorkers(s: Pick<C1mSettings, 'connections' | 'workers' | 'perProcessBudget'>): number {
  return s.workers > 0 ? s.workers : Math.max(2, Math.ceil(s.connections / (s.perProcessBudget * CHILD_FILL)));
}

let serial = 0;

/** One hold case. `connections` above a single-process server's ceiling is capped by runCase from its ready line. */
export function holdCase(
  s: C1mSettings,
  server: string,
  transport: 'tcp' | 'ws',
  connections: number,
  workers?: number,
): CaseSpec {
  serial++;
  const label = `c1m-hold ${server} ${transport}`;
  return {
    id: `${String(serial).padStart(3, '0')}-c1m-hold-${server}-${transport}`,
    key: label,
    scenario: 'hold',
    server,
    transport,
    workload: 'echo',
    connections,
    durationSeconds: s.holdSeconds,
    warmupSeconds: 0,
    sizeBytes: 64,
    pingIntervalSeconds: s.pingIntervalSeconds,
    ...(transport === 'ws' && s.pingKind !== 'echo' ? { pingKind: s.pingKind } : {}),
    repetition: 1,
    caps: [],
    ...(workers !== undefined ? { workers } : {}),
  };
}

/** The single-process architectures run at their ceiling, with what they serve. */
export const CEILING_SERVERS: ReadonlyArray<{ server: string; transports: ReadonlyArray<'tcp' | 'ws'> }> = [
  { server: 'single-loop', transports: ['ws'] },
  { server: 'multi-loop', transports: ['ws'] },
  { server: 'conn-per-socket', transports: ['ws', 'tcp'] },
];
