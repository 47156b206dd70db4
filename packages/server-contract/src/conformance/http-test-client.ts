// A raw HTTP/1.1 test connection: writes whatever bytes a test chooses (valid, pipelined or
// malformed requests) and parses the responses with the protocol package's parser, queueing them.
import { connect, type Socket } from 'node:net';
import { HttpResponseParser } from '@c1m/protocol';

/** A response as received. */
export interface HttpReply {
  status: number;
  body: Buffer;
  close: boolean;
}

/** One connection under the test's control. */
export class HttpTestClient {
  readonly socket: Socket;
  readonly replies: HttpReply[] = [];
  /** Resolves when the server closed or reset the connection. */
  readonly closed: Promise<void>;
  /** The parser's error, when the server sent something that is not a response. */
  parseError: Error | null = null;
  private isClosed = false;
  private waiters: Array<() => void> = [];
  private readonly parser = new HttpResponseParser(64 * 1024 * 1024, (status, body, close) => {
    this.replies.push({ status, body: Buffer.from(body), close });
    this.wake();
  });

  private constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        this.parseError = err as Error;
      }
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Connects; resolves once the TCP connection is up. */
  static async open(port: number): Promise<HttpTestClient> {
    const c = new HttpTestClient(port);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve);
      c.socket.once('error', reject);
    });
    return c;
  }

  /** Writes `GET path` requests (pipelined when several), with `Connection: close` when asked. */
  get(count = 1, close = false, path = '/'): void {
    const one = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    this.socket.write(one.repeat(count));
  }

  writeRaw(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with the first `count` responses; rejects at the timeout or if the connection closes first. */
  async waitForReplies(count: number, timeoutMs = 15_000): Promise<HttpReply[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < count) {
      if (this.isClosed) throw new Error(`connection closed after ${this.replies.length} of ${count} responses`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.replies.length} of ${count} responses within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.replies.slice(0, count);
  }

  /** True when the server closed the connection within the time. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    if (this.isClosed) return true;
    return Promise.race([this.closed.then(() => true), new Promise<boolean>((r) => setTimeout(r, timeoutMs, false))]);
  }

  /** Closes with RST (no TIME_WAIT). */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.resetAndDestroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
