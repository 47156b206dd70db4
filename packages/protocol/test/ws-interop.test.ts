// Interop of the client framing with two real servers over loopback: the `ws` library and
// uWebSockets.js (native build). Each server echoes every message with its opcode.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { loadUws, type Uws } from '@c1m/uws';
import { OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_TEXT, encodeClosePayload } from '../src/index.ts';
import { connectWs, type WsTestClient } from './ws-test-client.ts';

interface EchoServer {
  port: number;
  /** Makes the server send a fragmented binary message made of `parts` to every client. */
  sendFragmented?(parts: Buffer[]): void;
  /** Makes the server ping every client. */
  pingAll(payload: Buffer): void;
  /** Makes the server close every client with code and reason. */
  closeAll(code: number, reason: string): void;
  stop(): Promise<void>;
}

async function startWsServer(): Promise<EchoServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 16 * 1024 * 1024 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  wss.on('connection', (ws: WsSocket) => {
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  const port = (wss.address() as { port: number }).port;
  return {
    port,
    sendFragmented: (parts) => {
      for (const ws of wss.clients) parts.forEach((p, i) => ws.send(p, { binary: true, fin: i === parts.length - 1 }));
    },
    pingAll: (payload) => wss.clients.forEach((ws) => ws.ping(payload)),
    closeAll: (code, reason) => wss.clients.forEach((ws) => ws.close(code, reason)),
    stop: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

type ListenSocket = Parameters<Uws['us_listen_socket_close']>[0];
/** The socket type uWS hands to `open`, derived because only @c1m/uws depends on the uWS package. */
type UwsSocket = Parameters<NonNullable<Parameters<ReturnType<Uws['App']>['ws']>[1]['open']>>[0];

async function startUwsServer(): Promise<EchoServer> {
  const { uws } = loadUws();
  const open = new Set<UwsSocket>();
  let listenSocket: ListenSocket | false = false;
  const app = uws.App().ws('/*', {
    maxPayloadLength: 16 * 1024 * 1024,
    maxBackpressure: 64 * 1024 * 1024,
    idleTimeout: 0,
    open: (ws) => void open.add(ws),
    close: (ws) => void open.delete(ws),
    message: (ws, message, isBinary) => void ws.send(message, isBinary),
  });
  await new Promise<void>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (ls) => {
      listenSocket = ls;
      if (ls) resolve();
      else reject(new Error('uWS failed to listen'));
    }),
  );
  const port = uws.us_socket_local_port(listenSocket as unknown as ListenSocket);
  return {
    port,
    sendFragmented: (parts) => {
      for (const ws of open) {
        ws.sendFirstFragment(parts[0]!, true);
        for (const p of parts.slice(1, -1)) ws.sendFragment(p);
        ws.sendLastFragment(parts[parts.length - 1]!);
      }
    },
    pingAll: (payload) => open.forEach((ws) => ws.ping(payload)),
    closeAll: (code, reason) => [...open].forEach((ws) => ws.end(code, reason)),
    stop: async () => {
      for (const ws of [...open]) ws.close();
      if (listenSocket) uws.us_listen_socket_close(listenSocket);
      listenSocket = false;
      // The native app has close() (it ends every socket it still owns); the bundled typings omit it.
      (app as unknown as { close?: () => void }).close?.();
    },
  };
}

function pattern(bytes: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

const servers: Array<[string, () => Promise<EchoServer>]> = [
  ['ws', startWsServer],
  ['uWS', startUwsServer],
];

describe.each(servers)('client framing against %s', (_name, start) => {
  let server: EchoServer;
  const clients: WsTestClient[] = [];
  const open = async (path = '/'): Promise<WsTestClient> => {
    const c = await connectWs(server.port, path);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
  });

  test('upgrades on any path and echoes binary and text messages', async () => {
    const c = await open('/any/path?x=1');
    const bin = pattern(100, 1);
    c.send(OPCODE_BINARY, bin);
    expect(await c.expect('message')).toEqual({ type: 'message', opcode: OPCODE_BINARY, payload: bin });
    const text = Buffer.from('héllo wörld ✓', 'utf8');
    c.send(OPCODE_TEXT, text);
    expect(await c.expect('message')).toEqual({ type: 'message', opcode: OPCODE_TEXT, payload: text });
    c.send(OPCODE_BINARY, Buffer.alloc(0));
    expect((await c.expect('message')).payload.length).toBe(0);
  });

  test('echoes messages of every length class: 7-bit, 16-bit and 64-bit (200 KiB)', async () => {
    const c = await open();
    for (const size of [125, 126, 127, 65535, 65536, 200 * 1024]) {
      const body = pattern(size, size);
      c.send(OPCODE_BINARY, body);
      const reply = await c.expect('message');
      expect(reply.payload.length).toBe(size);
      expect(reply.payload.equals(body)).toBe(true);
    }
  });

  test('many pipelined messages come back in order', async () => {
    const c = await open();
    const bodies = Array.from({ length: 200 }, (_, i) => pattern(i * 13, i));
    for (const b of bodies) c.send(OPCODE_BINARY, b);
    for (const b of bodies) expect((await c.expect('message')).payload.equals(b)).toBe(true);
  });

  test('a ping from the client gets a pong with the same payload', async () => {
    const c = await open();
    c.send(OPCODE_PING, Buffer.from('are you there'));
    expect((await c.expect('pong')).payload.toString()).toBe('are you there');
  });

  test('server pings reach onPing', async () => {
    const c = await open();
    c.send(OPCODE_BINARY, Buffer.from('sync'));
    await c.expect('message');
    server.pingAll(Buffer.from('p1'));
    expect((await c.expect('ping')).payload.toString()).toBe('p1');
  });

  test('a fragmented server message is reassembled', async () => {
    const c = await open();
    c.send(OPCODE_BINARY, Buffer.from('sync'));
    await c.expect('message');
    const parts = [pattern(10, 1), pattern(70000, 2), pattern(3, 3)];
    server.sendFragmented?.(parts);
    expect((await c.expect('message')).payload.equals(Buffer.concat(parts))).toBe(true);
  });

  test('client-initiated close handshake: the server answers with a close frame', async () => {
    const c = await open();
    c.send(OPCODE_CLOSE, encodeClosePayload(1000, 'bye'));
    const close = await c.expect('close');
    expect(close.code).toBe(1000);
    await c.expect('end');
  });

  test('server-initiated close reaches onClose with code and reason', async () => {
    const c = await open();
    c.send(OPCODE_BINARY, Buffer.from('sync'));
    await c.expect('message');
    server.closeAll(4001, 'server says bye');
    expect(await c.expect('close')).toEqual({ type: 'close', code: 4001, reason: 'server says bye' });
  });
});
