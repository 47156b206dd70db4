// The C baseline server at its open-files limit: more clients than descriptors. It accepts and
// closes the excess (counted as refused), and once the table is full it must still go back to its
// loop: close what its peers closed, answer signals and serve the next client. (It once spun in its
// accept loop for ever there, because accept4 reports EMFILE before it looks at the backlog.)
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runDriver } from '../../../clients/driver/test/run-driver.ts';
import { BaselineProcess } from './baseline-process.ts';

const FD_LIMIT = 64;
const CLIENTS = 100;
const started: BaselineProcess[] = [];
const sockets: Socket[] = [];

/** A client connection, once the kernel has completed it (the server may not have accepted it). */
function open(port: number): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port });
  sockets.push(s);
  s.on('error', () => {});
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('close', () => reject(new Error('closed before connecting')));
  });
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const p of started) await p.kill();
});

describe('the C baseline server at its open-files limit', () => {
  it('refuses the connections past it, then closes the rest, answers signals and serves a new client', async () => {
    const server = await BaselineProcess.start(['--port', '0'], FD_LIMIT);
    started.push(server);
    const ready = await server.nextLine('ready');
    const port = ready.port as number;
    expect(ready.fdLimit).toBe(FD_LIMIT);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => open(port)));

    // The stats line comes from the server's loop: it is printed only if the loop runs again.
    const full = await server.stats();
    const held = (full.connections as { current: number }).current;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(ready.maxConnections as number);
    expect(held + (full.refusedConnections as number)).toBe(CLIENTS);

    for (const c of clients) c.destroy();
    const run = await runDriver(
      ['echo', '--target', `tcp://127.0.0.1:${port}`, '--connections', '10', '--duration', '1s'],
      30_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.result!.passed, run.result!.failures.join('; ')).toBe(true);
    expect((await server.stats()).connections).toMatchObject({ total: held + 10 });

    server.child.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
  }, 60_000);
});
