// A minimal WebSocket client for tests, assembled from the package's own client framing
// (upgrade request/parser, masked encoder, server frame decoder) over a plain node:net socket.
// Events are queued so a test can await them in order.
import { connect, type Socket } from 'node:net';
import {
  OPCODE_PONG,
  ServerFrameDecoder,
  UpgradeResponseParser,
  buildUpgradeRequest,
  encodeClientFrame,
  makeWsKey,
} from '../src/index.ts';

export type WsEvent =
  | { type: 'message'; opcode: 1 | 2; payload: Buffer }
  | { type: 'ping'; payload: Buffer }
  | { type: 'pong'; payload: Buffer }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; error: Error }
  | { type: 'end' };

export interface WsTestClient {
  socket: Socket;
  /** Sends one masked frame. */
  send(opcode: number, payload: Uint8Array): void;
  /** Writes raw bytes (for partial-frame tests). */
  write(bytes: Uint8Array): void;
  /** Resolves with the next event, in arrival order. */
  next(): Promise<WsEvent>;
  /** Resolves with the next event of the given type, failing the test on any other event. */
  expect<T extends WsEvent['type']>(type: T): Promise<Extract<WsEvent, { type: T }>>;
  destroy(): void;
}

/** Connects to 127.0.0.1:port, upgrades on `path`, and replies to pings with pongs. */
export function connectWs(port: number, path = '/', maxMessage = 16 * 1024 * 1024): Promise<WsTestClient> {
  return new Promise((resolve, reject) => {
    const queue: WsEvent[] = [];
    const waiters: Array<(e: WsEvent) => void> = [];
    const emit = (e: WsEvent): void => {
      const waiter = waiters.shift();
      if (waiter) waiter(e);
      else queue.push(e);
    };
    const socket = connect(port, '127.0.0.1');
    const key = makeWsKey();
    const upgrade = new UpgradeResponseParser(key);
    let upgraded = false;
    const decoder = new ServerFrameDecoder(maxMessage, {
      onMessage: (opcode, payload) => emit({ type: 'message', opcode, payload: Buffer.from(payload) }),
      onPing: (payload) => {
        emit({ type: 'ping', payload: Buffer.from(payload) });
        socket.write(encodeClientFrame(OPCODE_PONG, payload));
      },
      onPong: (payload) => emit({ type: 'pong', payload: Buffer.from(payload) }),
      onClose: (code, reason) => emit({ type: 'close', code, reason }),
    });
    const client: WsTestClient = {
      socket,
      send: (opcode, payload) => socket.write(encodeClientFrame(opcode, payload)),
      write: (bytes) => socket.write(bytes),
      next: () => {
        const e = queue.shift();
        return e ? Promise.resolve(e) : new Promise((r) => waiters.push(r));
      },
      expect: async (type) => {
        const e = await client.next();
        if (e.type !== type)
          throw new Error(`expected ${type}, got ${JSON.stringify(e.type === 'error' ? e.error.message : e)}`);
        return e as never;
      },
      destroy: () => socket.destroy(),
    };
    socket.on('connect', () => socket.write(buildUpgradeRequest(`127.0.0.1:${port}`, path, key)));
    socket.on('data', (chunk: Buffer) => {
      try {
        if (!upgraded) {
          const rest = upgrade.push(chunk);
          if (rest === null) return;
          upgraded = true;
          resolve(client);
          if (rest.length > 0) decoder.push(rest);
        } else decoder.push(chunk);
      } catch (err) {
        if (!upgraded) reject(err);
        else emit({ type: 'error', error: err as Error });
        socket.destroy();
      }
    });
    socket.on('error', (err) => (upgraded ? emit({ type: 'error', error: err }) : reject(err)));
    socket.on('close', () => {
      if (!upgraded) reject(new Error('socket closed before the upgrade completed'));
      emit({ type: 'end' });
    });
  });
}
