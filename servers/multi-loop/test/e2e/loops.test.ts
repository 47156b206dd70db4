// multi-loop specifics beyond the conformance suite: the kernel spreads connections over every
// loop thread, and a drain with connections open ends every thread cleanly (no uWS abort).
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnServer, TestClient, type ServerProcess } from '@c1m/server-contract/conformance';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const LOOPS = 3;
const CONNECTIONS = 60;

describe('multi-loop', () => {
  const servers: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const start = async () => {
    const s = await spawnServer({ packageDir, args: ['--workers', String(LOOPS)] });
    servers.push(s);
    return s;
  };
  const openMany = async (port: number, count: number) => {
    const opened = await Promise.all(Array.from({ length: count }, () => TestClient.open('ws', port)));
    clients.push(...opened);
    return opened;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')));
  });

  it(`spreads ${CONNECTIONS} connections over all ${LOOPS} loops (SO_REUSEPORT)`, async () => {
    const s = await start();
    expect(s.ready.threads).toBe(LOOPS);
    await openMany(s.ready.port, CONNECTIONS);
    const stats = await s.stats();
    expect(stats.connections.current).toBe(CONNECTIONS);
    expect(stats.connectionsBySource).toHaveLength(LOOPS);
    expect(stats.connectionsBySource!.reduce((a, b) => a + b, 0)).toBe(CONNECTIONS);
    // Each loop getting none of 60 hashed connections has odds of about 1e-10.
    for (const n of stats.connectionsBySource!) expect(n).toBeGreaterThan(0);
  });

  it('drains every loop on SIGTERM with connections open: closed line, exit 0, nothing on stderr', async () => {
    const s = await start();
    let stderr = '';
    s.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const conns = await openMany(s.ready.port, CONNECTIONS);
    conns.forEach((c, i) => c.send(Buffer.from(`frame ${i}`)));
    await Promise.all(conns.map((c) => c.waitForReplies(1)));
    const { code, closed } = await s.stop('SIGTERM');
    expect(closed).toMatchObject({ event: 'closed', forced: false, framesIn: CONNECTIONS, framesOut: CONNECTIONS });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(await Promise.all(conns.map((c) => c.closedWithin(1000)))).toEqual(conns.map(() => true));
  });
});
