// The client side of the HTTP transport (README section 1.3): builds GET requests and parses
// HTTP/1.1 responses from a byte stream, one callback per complete response, in order. Like the
// frame decoders it keeps a few fields per connection and allocates only for a split message.
import { C1mError } from './errors.ts';
import { HTTP_MAX_HEAD_BYTES } from './http-workloads.ts';

/** Builds `GET path HTTP/1.1` with a Host header, and `Connection: close` when keep-alive is off. */
export function buildHttpRequest(hostPort: string, path: string, keepAlive: boolean): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: ${hostPort}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`,
    'latin1',
  );
}

/**
 * Called with each response: its status code, its body (a view: copy to keep), whether the server
 * will close, and the size of its head (status line, headers, blank line).
 */
export type HttpResponseHandler = (status: number, body: Buffer, close: boolean, headBytes: number) => void;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const STATUS_RE = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/;
const LENGTH_RE = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?=\r\n)/i;
const CLOSE_RE = /\r\nconnection:[ \t]*close[ \t]*(?=\r\n)/i;
const CHUNKED_RE = /\r\ntransfer-encoding:/i;

/**
 * Parses responses framed by Content-Length (what every c1m server sends). A head above
 * HTTP_MAX_HEAD_BYTES, a malformed status line, a missing Content-Length, chunked coding or a
 * body above `maxBody` throw C1M_HTTP_RESPONSE; after that every push throws it again.
 */
export class HttpResponseParser {
  /** Head bytes gathered so far when a head is split across chunks. */
  private head: Buffer | null = null;
  private status = 0;
  private close = false;
  private headBytes = 0;
  /** Body bytes still expected; -1 while reading a head. */
  private remaining = -1;
  private body: Buffer | null = null;
  private filled = 0;
  private failed: C1mError | null = null;

  constructor(
    private readonly maxBody: number,
    private readonly onResponse: HttpResponseHandler,
  ) {}

  /** True between responses (nothing buffered). */
  get idle(): boolean {
    return this.remaining < 0 && this.head === null;
  }

  /** Feeds received bytes; calls onResponse for every response completed by them. */
  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining < 0) {
        const used = this.readHead(chunk, at);
        if (used < 0) return;
        at = used;
        if (this.remaining === 0) this.emit(chunk.subarray(at, at));
        else if (chunk.length - at >= this.remaining) {
          const end = at + this.remaining;
          this.remaining = 0;
          this.emit(chunk.subarray(at, end));
          at = end;
        } else {
          this.body = Buffer.allocUnsafe(this.remaining);
          this.filled = 0;
        }
        continue;
      }
      const body = this.body!;
      const n = Math.min(body.length - this.filled, chunk.length - at);
      chunk.copy(body, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === body.length) this.emit(body);
    }
  }

  /** Reads a head from chunk[at..]; returns where its body starts, or -1 when it needs more bytes. */
  private readHead(chunk: Buffer, at: number): number {
    let buf: Buffer;
    let base: number;
    if (this.head === null) {
      buf = chunk;
      base = at;
    } else {
      buf = Buffer.concat([this.head, chunk.subarray(at)]);
      base = 0;
    }
    const end = buf.indexOf(CRLFCRLF, base);
    if (end < 0) {
      if (buf.length - base > HTTP_MAX_HEAD_BYTES) this.fail(`response head above ${HTTP_MAX_HEAD_BYTES} bytes`);
      this.head = Buffer.from(buf.subarray(base));
      return -1;
    }
    if (end + 4 - base > HTTP_MAX_HEAD_BYTES) this.fail(`response head above ${HTTP_MAX_HEAD_BYTES} bytes`);
    const text = buf.toString('latin1', base, end + 2);
    const status = STATUS_RE.exec(text);
    if (!status) this.fail(`malformed status line ${JSON.stringify(text.slice(0, 40))}`);
    if (CHUNKED_RE.test(text)) this.fail('chunked transfer coding is not used by c1m servers');
    const length = LENGTH_RE.exec(text);
    if (!length) this.fail('response without Content-Length');
    const bytes = Number(length![1]);
    if (bytes > this.maxBody) this.fail(`response body of ${bytes} bytes above the limit of ${this.maxBody}`);
    this.status = Number(status![1]);
    this.headBytes = end + 4 - base;
    this.close = CLOSE_RE.test(text);
    this.remaining = bytes;
    // Where the body starts within `chunk`: a head joined from earlier chunks is not all in it.
    const earlier = this.head;
    this.head = null;
    return earlier === null ? end + 4 : at + end + 4 - earlier.length;
  }

  private emit(body: Buffer): void {
    this.remaining = -1;
    this.body = null;
    this.onResponse(this.status, body, this.close, this.headBytes);
  }

  private fail(message: string): never {
    this.failed = new C1mError('C1M_HTTP_RESPONSE', message);
    throw this.failed;
  }
}
