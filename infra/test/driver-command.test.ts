// infra writes the load generator's command line; the driver's own parser reads it back here, so
// a renamed or removed driver flag fails this test instead of a benchmark run.
import { describe, expect, it } from 'vitest';
import { parseOptions } from '@c1m/driver';
import { driverCommand } from '../src/run/driver.ts';
import type { CaseSpec } from '../src/model/case-result.ts';

const base: CaseSpec = {
  id: '001-x',
  key: 'x',
  scenario: 'echo-100',
  server: 'single-loop',
  transport: 'ws',
  workload: 'echo',
  connections: 100,
  durationSeconds: 5,
  warmupSeconds: 1.5,
  sizeBytes: 64,
  pipeline: 2,
  repetition: 1,
  caps: [],
};

/** driverCommand's argv as the driver parses it (without node and the script path). */
function roundTrip(spec: CaseSpec) {
  const command = driverCommand(spec, 'ws://127.0.0.1:4000/', '/tmp/out.json', 750);
  const options = parseOptions(command.slice(2));
  if (!options) throw new Error('the driver read --help');
  return options;
}

describe('driverCommand', () => {
  it('echo: the driver reads back every figure of the case', () => {
    const o = roundTrip(base);
    expect(o.scenario).toBe('echo');
    expect(o.connections).toBe(100);
    expect(o.durationMs).toBe(5000);
    expect(o.warmupMs).toBe(1500);
    expect(o.pipeline).toBe(2);
    expect(o.size).toEqual({ kind: 'list', sizes: [64] });
    expect(o.workload).toBe('echo');
    expect(o.connectRate).toBe(750);
    expect(o.json).toBe('/tmp/out.json');
    expect(o.targets.map((t) => t.transport)).toEqual(['ws']);
  });

  it('hold: duration, ping interval and ping kind', () => {
    const o = roundTrip({
      ...base,
      scenario: 'hold',
      pingIntervalSeconds: 7,
      pingKind: 'ws-ping',
      durationSeconds: 30,
    });
    expect(o.scenario).toBe('hold');
    expect(o.durationMs).toBe(30_000);
    expect(o.pingIntervalMs).toBe(7000);
    expect(o.pingKind).toBe('ws-ping');
  });

  it('short: concurrency, loops and size', () => {
    const o = roundTrip({ ...base, scenario: 'short', connections: 40, loops: 3, sizeBytes: 100 });
    expect(o.scenario).toBe('short');
    expect(o.concurrency).toBe(40);
    expect(o.loops).toBe(3);
    expect(o.size).toEqual({ kind: 'list', sizes: [100] });
  });

  it('cpu and io cases carry their workload', () => {
    expect(roundTrip({ ...base, scenario: 'cpu', workload: 'cpu' }).workload).toBe('cpu');
    expect(roundTrip({ ...base, scenario: 'io', workload: 'io' }).workload).toBe('io');
  });
});
