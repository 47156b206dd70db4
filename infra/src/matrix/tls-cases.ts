// The tls-hold scenario: each server × transport (tcp, ws) with --tls, held idle by the driver over
// tls:// or wss://, so the table shows TLS handshakes/s (the ramp's connect rate, unbounded) and the
// server's memory per idle TLS connection beside the plain hold's.
import type { CaseSpec } from '../model/case-result.ts';
import type { Profile } from './profiles.ts';

type Draft = Omit<CaseSpec, 'id' | 'key' | 'repetition'>;

/** The tls-hold case of one server and transport. */
export function tlsHoldDraft(
  base: { server: string; transport: 'tcp' | 'ws' | 'http'; sizeBytes: number; caps: string[] },
  p: Profile,
): Draft {
  return {
    ...base,
    caps: [...base.caps],
    scenario: 'tls-hold',
    workload: 'echo',
    tls: true,
    connections: p.tlsHoldConnections,
    durationSeconds: p.holdSeconds,
    warmupSeconds: 0,
    pingIntervalSeconds: p.pingIntervalSeconds,
  };
}

/** The driver's URL scheme of a case: tls://, wss:// and https:// inside TLS. */
export function targetScheme(spec: Pick<CaseSpec, 'transport' | 'tls'>): string {
  if (!spec.tls) return spec.transport;
  return { tcp: 'tls', ws: 'wss', http: 'https' }[spec.transport];
}
