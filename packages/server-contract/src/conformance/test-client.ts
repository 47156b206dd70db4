// A protocol-level test client over a raw TCP socket, for either transport: it frames bodies
// (length prefix, or masked WebSocket frames after an upgrade), can write bytes split at chosen
// boundaries or deliberately malformed, and queues every reply for the test to await.
import { connect, type Socket } from 'node:net';
import {
  buildUpgradeRequest,
  encodeClientClose,
  encodeClientFrame,
  encodeFrame,
  FrameDecoder,
  makeWsKey,
  OPCODE_BINARY,
  OPCODE_PONG,
  ServerFrameDecoder,
  UpgradeResponseParser,
} from '@c1m/protocol';

export type TestTransport = 'tcp' | 'ws';

/** A reply as received: body and (WS only) opcode. */
export interface Reply {
  body: Buffer;
  opcode: number;
}

/** A raw connection under the test's full control. */
export class TestClient {
  readonly socket: Socket;
  readonly replies: Reply[] = [];
  /** Resolves when the server closed (or reset) the connection. */
  readonly closed: Promise<void>;
  /** Resolves true once connected (and upgraded, for ws); false when refused or closed first. */
  readonly established: Promise<boolean>;
  /** The status code of the close frame the server sent (ws only), once one arrived. */
  closeCode: number | undefined;
  /** True once the server began closing: FIN received (tcp) or a close frame (ws). */
  peerClosing = false;
  private waiters: Array<() => void> = [];
  private isClosed = false;

  private constructor(
    readonly transport: TestTransport,
    port: number,
    upgrade: boolean,
  ) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
    const onMessage = (body: Buffer, opcode: number) => {
      this.replies.push({ body: Buffer.from(body), opcode });
      this.wake();
    };
    this.established = new Promise((resolve) => {
      this.socket.once('close', () => resolve(false));
      if (transport === 'tcp') {
        const decoder = new FrameDecoder(256 * 1024 * 1024, (b) => onMessage(b, OPCODE_BINARY));
        this.socket.on('data', (d: Buffer) => decoder.push(d));
        this.socket.once('end', () => (this.peerClosing = true));
        this.socket.once('connect', () => resolve(true));
        return;
      }
      if (!upgrade) {
        // Keep the socket flowing so the server's answer and FIN are seen.
        this.socket.resume();
        this.socket.once('connect', () => resolve(true));
        return;
      }
      const key = makeWsKey();
      const parser = new UpgradeResponseParser(key);
      const frames = new ServerFrameDecoder(256 * 1024 * 1024, {
        onMessage: (opcode, payload) => onMessage(payload, opcode),
        onPing: (payload) => this.socket.write(encodeClientFrame(OPCODE_PONG, payload)),
        onPong: () => {},
        // Answer the closing handshake as a real client would, then half-close.
        onClose: (code) => {
          this.closeCode = code;
          this.peerClosing = true;
          this.socket.end(encodeClientClose(1000));
        },
      });
      let upgraded = false;
      this.socket.once('connect', () => this.socket.write(buildUpgradeRequest(`127.0.0.1:${port}`, '/', key)));
      this.socket.on('data', (d: Buffer) => {
        try {
          if (upgraded) return frames.push(d);
          const rest = parser.push(d);
          if (rest === null) return;
          upgraded = true;
          resolve(true);
          if (rest.length > 0) frames.push(rest);
        } catch {
          this.socket.destroy();
        }
      });
    });
  }

  /** Connects (and upgrades, for ws). */
  static async open(transport: TestTransport, port: number): Promise<TestClient> {
    const c = new TestClient(transport, port, true);
    if (!(await c.established)) throw new Error(`${transport} connection to ${port} was not established`);
    return c;
  }

  /** Connects without waiting; check `established`. */
  static attempt(transport: TestTransport, port: number): TestClient {
    return new TestClient(transport, port, true);
  }

  /** Connects a plain TCP socket with no upgrade (to send garbage instead of one). */
  static async raw(port: number): Promise<TestClient> {
    const c = new TestClient('ws', port, false);
    await c.established;
    return c;
  }

  /** The bytes that carry `body` on this transport. */
  frame(body: Uint8Array, opcode = OPCODE_BINARY): Buffer {
    return this.transport === 'tcp' ? encodeFrame(body) : encodeClientFrame(opcode, body);
  }

  send(body: Uint8Array, opcode = OPCODE_BINARY): void {
    this.socket.write(this.frame(body, opcode));
  }

  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Writes `bytes` cut at the given offsets, yielding to the event loop between pieces. */
  async writeSplit(bytes: Buffer, cuts: number[]): Promise<void> {
    let from = 0;
    for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
      if (cut <= from) continue;
      this.socket.write(bytes.subarray(from, cut));
      from = cut;
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Waits until `count` replies arrived; rejects on close or timeout. */
  async waitForReplies(count: number, timeoutMs = 15_000): Promise<Reply[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < count) {
      if (this.isClosed) throw new Error(`closed after ${this.replies.length} of ${count} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.replies.length} of ${count} replies`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.replies.slice(0, count);
  }

  /** True once the server closed this connection, waiting at most `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    return Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  }

  /** Resolves once everything written so far has been handed to the kernel (sent, in TCP's terms). */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.socket.write(Buffer.alloc(0), () => resolve()));
  }

  /**
   * Stops reading: the socket's buffer and then the kernel's fill up and the server's replies back
   * up into the server (a slow reader). Returns the bytes received so far.
   */
  stopReading(): void {
    this.socket.pause();
  }

  /** Closes with RST so no TIME_WAIT is left behind. */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
