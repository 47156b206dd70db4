// The validators accept what the writers print and name the field when a shape is wrong.
import { describe, expect, it } from 'vitest';
import {
  jsonObjectLine,
  parseClosedLine,
  parseDriverResult,
  parseReadyLine,
  parseServerPackage,
  parseServerStats,
  SchemaError,
} from '../src/index.ts';

const ready = {
  event: 'ready',
  architecture: 'single-loop',
  transport: 'ws',
  workload: 'echo',
  style: 'default',
  port: 40123,
  statsPort: 40124,
  pid: 77,
  fdLimit: 20000,
  processes: 1,
  threads: 1,
  maxConnections: 19000,
  connectionCeiling: 'descriptor limit of one process',
};

const stats = {
  architecture: 'prefork',
  pid: 77,
  processes: 3,
  threads: 1,
  uptimeSeconds: 1.5,
  fdLimit: 20000,
  maxConnections: 38000,
  connections: { current: 2, peak: 3, total: 5 },
  framesIn: 10,
  framesOut: 10,
  bytesIn: 100,
  bytesOut: 100,
  protocolErrors: { C1M_FRAME_TOO_LARGE: 1 },
  backpressureCloses: 0,
  backpressurePauses: 0,
  backpressureSoftOverruns: 0,
  backpressureSoftPausesReading: true,
  wsAbnormalCloses: 0,
  refusedConnections: 0,
  rssBytes: 1 << 20,
  cpuSeconds: 0.2,
  eventLoopDelayP99Ms: 1.1,
  connectionsBySource: [1, 1],
  architectureStats: { childRestarts: 0 },
};

/** The SchemaError `fn` throws (fails the test when it does not throw one). */
function schemaError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SchemaError) return err;
    throw err;
  }
  throw new Error('expected a SchemaError');
}

describe('ready line', () => {
  it('accepts what a server prints, with statsPort null for a server without /stats', () => {
    expect(parseReadyLine(ready).port).toBe(40123);
    expect(parseReadyLine({ ...ready, statsPort: null }).statsPort).toBeNull();
  });

  it('names the field that is missing or of the wrong kind, with a stable code', () => {
    const { port: _port, ...noPort } = ready;
    const err = schemaError(() => parseReadyLine(noPort));
    expect(err.code).toBe('C1M_SCHEMA_INVALID');
    expect(err.path).toBe('port');
    expect(schemaError(() => parseReadyLine({ ...ready, pid: '77' })).path).toBe('pid');
    expect(schemaError(() => parseReadyLine({ ...ready, transport: 'udp' })).message).toContain('"tcp", "ws"');
    expect(schemaError(() => parseReadyLine({ ...ready, event: 'closed' })).path).toBe('event');
  });
});

describe('closed line', () => {
  it("accepts the Node servers' and the C baseline's closed lines and refuses a wrong kind", () => {
    expect(
      parseClosedLine({
        event: 'closed',
        signal: 'SIGTERM',
        forced: false,
        framesIn: 3,
        framesOut: 3,
        connectionsTotal: 1,
      }).forced,
    ).toBe(false);
    expect(
      parseClosedLine({ event: 'closed', connectionsOpen: 0, connectionsTotal: 4, bytesIn: 8, bytesOut: 8 })
        .connectionsTotal,
    ).toBe(4);
    expect(schemaError(() => parseClosedLine({ event: 'closed', forced: 'no' })).path).toBe('forced');
  });
});

describe('/stats', () => {
  it('accepts a full answer and checks nested fields and records', () => {
    expect(parseServerStats(stats).architectureStats).toEqual({ childRestarts: 0 });
    expect(schemaError(() => parseServerStats({ ...stats, connections: { current: 1, peak: 1 } })).path).toBe(
      'connections.total',
    );
    expect(schemaError(() => parseServerStats({ ...stats, protocolErrors: { C1M_FRAME_TOO_LARGE: 'x' } })).path).toBe(
      'protocolErrors',
    );
    expect(schemaError(() => parseServerStats({ ...stats, architectureStats: { childRestarts: null } })).path).toBe(
      'architectureStats',
    );
    expect(schemaError(() => parseServerStats({ ...stats, framesIn: Number.NaN })).path).toBe('framesIn');
  });
});

describe('server manifest', () => {
  const pkg = { name: '@c1m/x', description: 'd', c1m: { transports: ['ws'], processModel: 'single-process' } };

  it('accepts a manifest and refuses unknown transports and process models with the valid choices', () => {
    expect(parseServerPackage(pkg).c1m.transports).toEqual(['ws']);
    const t = schemaError(() => parseServerPackage({ ...pkg, c1m: { ...pkg.c1m, transports: ['udp'] } }));
    expect(t.path).toBe('c1m.transports');
    expect(t.message).toContain('tcp, ws');
    expect(schemaError(() => parseServerPackage({ ...pkg, c1m: { ...pkg.c1m, transports: [] } })).path).toBe(
      'c1m.transports',
    );
    expect(
      schemaError(() => parseServerPackage({ ...pkg, c1m: { ...pkg.c1m, processModel: 'fork' } })).message,
    ).toContain('single-process');
  });
});

describe('driver result', () => {
  it('refuses a file that is not a c1m-load result or lacks a section', () => {
    expect(schemaError(() => parseDriverResult({ tool: 'other' })).code).toBe('C1M_SCHEMA_INVALID');
    expect(schemaError(() => parseDriverResult([])).path).toBe('');
  });
});

describe('jsonObjectLine', () => {
  it('reads JSON object lines and passes over anything else', () => {
    expect(jsonObjectLine('{"event":"ready"}')).toEqual({ event: 'ready' });
    expect(jsonObjectLine('listening…')).toBeUndefined();
    expect(jsonObjectLine('{"event":')).toBeUndefined();
    expect(jsonObjectLine('[1]')).toBeUndefined();
  });
});
