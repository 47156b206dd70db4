// The HTTP/1.1 upgrade of a WebSocket client (RFC 6455 §4.1-4.2): build the request, then check the
// server's response head byte-exactly enough that a wrong accept key or a non-101 status fails
// the connection, and hand back whatever frame bytes arrived in the same chunk as the head.
import { createHash, randomBytes } from 'node:crypto';
import { C1mError } from './errors.ts';

/** The GUID RFC 6455 appends to the key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Default bound on the response head, so a server that never ends its head cannot grow our memory. */
export const MAX_UPGRADE_HEAD_BYTES = 8 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** A fresh Sec-WebSocket-Key: 16 random bytes, base64. */
export function makeWsKey(): string {
  return randomBytes(16).toString('base64');
}

/** The Sec-WebSocket-Accept value a server must answer `key` with. */
export function wsAcceptFor(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID, 'latin1')
    .digest('base64');
}

/**
 * The upgrade request for `path` (must start with '/') on `hostHeader` (e.g. "127.0.0.1:9000").
 * No extensions or subprotocols are offered, so frames stay plain RFC 6455.
 */
export function buildUpgradeRequest(hostHeader: string, path: string, key: string): Buffer {
  if (!path.startsWith('/') || /[\s]/.test(path)) throw new RangeError(`invalid request path ${JSON.stringify(path)}`);
  if (/[\r\n]/.test(hostHeader) || /[\r\n]/.test(key)) throw new RangeError('header values must not contain CR or LF');
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\n` +
      `Host: ${hostHeader}\r\n` +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${key}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n',
    'latin1',
  );
}

/**
 * Reads the server's response to an upgrade request from the socket's first chunks.
 * `push` returns null until the head is complete, then the bytes that followed the head (frames,
 * possibly an empty Buffer). It throws C1mError('C1M_HTTP_UPGRADE') on anything but a 101 with
 * `Upgrade: websocket`, `Connection: upgrade` and the right `Sec-WebSocket-Accept`, on extensions or
 * a subprotocol the client never offered, and on a head longer than `maxHeadBytes`.
 */
export class UpgradeResponseParser {
  private readonly key: string;
  private readonly maxHeadBytes: number;
  /** Head bytes received so far when the head spans chunks; null otherwise. */
  private pending: Buffer | null = null;
  private done = false;

  constructor(key: string, maxHeadBytes = MAX_UPGRADE_HEAD_BYTES) {
    this.key = key;
    this.maxHeadBytes = maxHeadBytes;
  }

  push(chunk: Buffer): Buffer | null {
    if (this.done) throw new C1mError('C1M_HTTP_UPGRADE', 'upgrade response parser used after it finished');
    let data = chunk;
    let searchFrom = 0;
    if (this.pending !== null) {
      // The terminator may straddle the boundary: resume the search 3 bytes before the old end.
      searchFrom = Math.max(0, this.pending.length - 3);
      data = Buffer.concat([this.pending, chunk]);
    }
    const end = data.indexOf(HEAD_END, searchFrom);
    if (end === -1) {
      if (data.length > this.maxHeadBytes) this.fail(`response head exceeds ${this.maxHeadBytes} bytes`);
      // Copy: the caller may reuse the chunk's memory once push returns.
      this.pending = this.pending === null ? Buffer.from(data) : data;
      return null;
    }
    const headBytes = end + HEAD_END.length;
    if (headBytes > this.maxHeadBytes) this.fail(`response head exceeds ${this.maxHeadBytes} bytes`);
    this.pending = null;
    this.done = true;
    this.checkHead(data.toString('latin1', 0, end));
    return data.subarray(headBytes);
  }

  private checkHead(head: string): void {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!status) this.fail(`malformed status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    if (status[1] !== '101') this.fail(`server answered ${status[1]} instead of 101`);
    let upgrade = '';
    let connection = '';
    let accept = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) this.fail(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'upgrade') upgrade = value.toLowerCase();
      else if (name === 'connection') connection = value.toLowerCase();
      else if (name === 'sec-websocket-accept') accept = value;
      else if (name === 'sec-websocket-extensions' || name === 'sec-websocket-protocol') {
        this.fail(`server selected ${name} "${value}" that the client never offered`);
      }
    }
    if (upgrade !== 'websocket') this.fail(`Upgrade header is "${upgrade}", not websocket`);
    if (!connection.split(',').some((token) => token.trim() === 'upgrade')) {
      this.fail(`Connection header "${connection}" lacks the upgrade token`);
    }
    if (accept !== wsAcceptFor(this.key)) this.fail('Sec-WebSocket-Accept does not match the key');
  }

  private fail(message: string): never {
    this.done = true;
    this.pending = null;
    throw new C1mError('C1M_HTTP_UPGRADE', message);
  }
}
