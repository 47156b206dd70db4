// The C baseline server's --http mode, the metal of http case 2: built from source, driven by the
// c1m driver over http with every response checked (keep-alive on and off), then sent raw
// requests: pipelined ones answered in order, a malformed request line 400 and closed, an
// oversized head 431 and closed, all counted in its SIGUSR1 stats line.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTestClient } from '@c1m/server-contract/conformance';
import { buildBaseline } from '../../src/baseline/build.ts';
import { ensureBuilt, runDriver } from '../../../clients/driver/test/run-driver.ts';
import { BaselineProcess } from './baseline-process.ts';

/** The static body of protocol README 3.4 (byte i = i mod 251), 1024 bytes. */
const BODY = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 251));

let server: BaselineProcess;
let port = 0;
const clients: HttpTestClient[] = [];
const stats = () => server.stats();

async function open(): Promise<HttpTestClient> {
  const c = await HttpTestClient.open(port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  ensureBuilt();
  server = await BaselineProcess.start(['--http', '--body-size', '1024', '--port', '0']);
  const ready = await server.nextLine('ready');
  expect(ready).toMatchObject({ architecture: 'baseline-c', transport: 'http', workload: 'static' });
  port = ready.port as number;
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.kill();
});

describe('the C baseline server with --http', () => {
  it('passes the c1m driver checks with keep-alive on and off, and counts every request', async () => {
    let sent = 0;
    for (const keepAlive of ['on', 'off']) {
      const run = await runDriver([
        'echo',
        '--target',
        `http://127.0.0.1:${port}/`,
        '--workload',
        'static',
        '--body-size',
        '1024',
        '--keep-alive',
        keepAlive,
        '--connections',
        '20',
        '--duration',
        '800ms',
        '--warmup',
        '100ms',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const r = run.result!;
      expect(r.passed, r.failures.join('; ')).toBe(true);
      expect(r.messages.sent).toBeGreaterThan(0);
      expect(r.messages.received).toBe(r.messages.sent);
      expect(r.messages.mismatches).toBe(0);
      sent += r.messages.sent;
    }
    const s = await stats();
    expect(s).toMatchObject({ framesIn: sent, framesOut: sent, badRequests: 0, bytesOut: sent * 1024 });
  });

  it('answers pipelined and split requests in order: GET, POST (405, its body skipped), GET', async () => {
    const c = await open();
    c.writeRaw('GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello');
    c.writeRaw('GET /b HTTP/1.1\r\nHo');
    await new Promise((r) => setTimeout(r, 50)); // the head arrives in two reads
    c.writeRaw('st: x\r\n\r\n');
    const replies = await c.waitForReplies(3);
    expect(replies.map((r) => r.status)).toEqual([200, 405, 200]);
    expect(replies[0]!.body.equals(BODY) && replies[2]!.body.equals(BODY)).toBe(true);
    expect(await c.closedWithin(300)).toBe(false);
  });

  it('answers a malformed request 400 and an oversized head 431, closes both and keeps serving', async () => {
    const before = (await stats()).badRequests as number;
    const malformed = await open();
    malformed.writeRaw('THIS IS NOT HTTP\r\n\r\n');
    expect(await malformed.closedWithin(5000)).toBe(true);
    expect(malformed.replies.map((r) => [r.status, r.close])).toEqual([[400, true]]);
    const oversized = await open();
    oversized.writeRaw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`);
    expect(await oversized.closedWithin(5000)).toBe(true);
    expect(oversized.replies.map((r) => r.status)).toEqual([431]);
    expect((await stats()).badRequests).toBe(before + 2);
    const good = await open();
    good.get();
    const [r] = await good.waitForReplies(1);
    expect(r!.status === 200 && r!.body.equals(BODY)).toBe(true);
  });

  it('exits 2 with a stable code on a bad flag', async () => {
    const build = await buildBaseline();
    if (!build.ok) throw new Error(build.reason);
    const child = spawn(build.server, ['--body-size', '10']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(stderr).toMatch(/C1M_BAD_FLAG: --body-size is only valid with --http/);
  });
});
