// c1m-load over http:// targets through the built CLI, against real node:http servers: keep-alive
// on and off, pipelining, open loop, aes bodies decrypted and checked, wrong bodies caught, and
// the flag rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverRegistry } from './echo-servers.ts';
import { startHttpServer, type HttpTestServer } from './http-servers.ts';
import { ensureBuilt, runDriver } from './run-driver.ts';

const servers = serverRegistry();
const server = (p: Promise<HttpTestServer>) => servers.start(p) as Promise<HttpTestServer>;

beforeAll(() => ensureBuilt(), 60_000);
afterAll(() => servers.closeAll());

describe('c1m-load over http', () => {
  it('keep-alive on: holds exactly --connections, checks every static body and counts them', async () => {
    const s = await server(startHttpServer({ bodySize: 300 }));
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--workload',
      'static',
      '--body-size',
      '300',
      '--connections',
      '5',
      '--duration',
      '600ms',
      '--warmup',
      '100ms',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.passed).toBe(true);
    expect(s.accepted()).toBe(5);
    expect(s.closeRequests()).toBe(0);
    expect(r.messages.sent).toBeGreaterThan(0);
    expect(r.messages.received).toBe(r.messages.sent);
    expect(s.requests()).toBe(r.messages.sent);
    expect(r.latencyUs.count).toBe(r.messages.measured);
    expect(r.options).toMatchObject({ keepAlive: 'on', bodySize: 300, workload: 'static' });
    expect(run.stdout).toContain('300 B bodies, keep-alive on');
  });

  it('keep-alive off: one connection per request, each asking Connection: close', async () => {
    const s = await server(startHttpServer());
    const run = await runDriver([
      'echo',
      '--target',
      s.url,
      '--keep-alive',
      'off',
      '--connections',
      '4',
      '--duration',
      '600ms',
      '--warmup',
      '100ms',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = run.result!;
    expect(r.messages.received).toBe(r.messages.sent);
    expect(s.closeRequests()).toBe(s.requests());
    // Each request had its own connection: the 4 of the ramp carry the first ones, and every
    // response is followed by a new connection (the last 4 may be reset before they are accepted).
    expect(s.accepted()).toBeGreaterThanOrEqual(r.messages.sent);
    expect(s.accepted()).toBeLessThanOrEqual(r.messages.sent + 4);
    expect(r.errorsByCause).toEqual({});
  });

  it('pipelines when asked and runs the open loop, matching responses by order', async () => {
    const s = await server(startHttpServer());
    const piped = await runDriver([
      'echo',
      '--target',
      s.url,
      '--pipeline',
      '4',
      '--connections',
      '3',
      '--duration',
      '500ms',
      '--warmup',
      '0s',
    ]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.result!.messages.received).toBe(piped.result!.messages.sent);
    const open = await runDriver([
      'echo',
      '--target',
      s.url,
      '--rate',
      '400',
      '--connections',
      '4',
      '--duration',
      '1s',
      '--warmup',
      '0s',
      '--timing',
      'timer',
    ]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.result!.messages.sent).toBe(400);
    expect(open.result!.messages.measured).toBe(400);
  });

  it('decrypts aes bodies, and fails the run on a body that is wrong by one byte', async () => {
    const aes = await server(startHttpServer({ workload: 'aes' }));
    const good = await runDriver([
      'echo',
      '--target',
      aes.url,
      '--workload',
      'aes',
      '--connections',
      '2',
      '--duration',
      '400ms',
      '--warmup',
      '0s',
    ]);
    expect(good.code, good.stderr).toBe(0);
    const bad = await server(startHttpServer({ workload: 'aes', corruptEvery: 7 }));
    const run = await runDriver([
      'echo',
      '--target',
      bad.url,
      '--workload',
      'aes',
      '--connections',
      '2',
      '--duration',
      '400ms',
      '--warmup',
      '0s',
    ]);
    expect(run.code).toBe(1);
    const r = run.result!;
    expect(r.messages.mismatches).toBe(Math.floor(bad.requests() / 7));
    expect(r.errorsByCause.C1M_REPLY_MISMATCH).toBe(r.messages.mismatches);
    // A static client against an aes server: every body is the wrong length.
    const wrong = await runDriver([
      'echo',
      '--target',
      aes.url,
      '--workload',
      'static',
      '--connections',
      '1',
      '--duration',
      '200ms',
      '--warmup',
      '0s',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.result!.messages.received).toBe(0);
  });

  it.each([
    [['--keep-alive', 'off', '--pipeline', '2'], /--pipeline must be 1/],
    [['--workload', 'echo'], /does not go with http:\/\/ targets; choose one of: static, aes, sleep/],
    [['hold'], /http:\/\/ targets run the scenarios echo, max-rate/],
  ])('refuses %j with exit 2', async (extra, message) => {
    const run = await runDriver([...extra, '--target', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('refuses http workloads and --keep-alive on tcp targets', async () => {
    const a = await runDriver(['--target', 'tcp://127.0.0.1:9', '--workload', 'aes']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/is for http:\/\/ targets/);
    const b = await runDriver(['--target', 'tcp://127.0.0.1:9', '--keep-alive', 'off']);
    expect(b.code).toBe(2);
  });
});
