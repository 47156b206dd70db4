// The http transport on one uWebSockets.js app (protocol README 1.3): every uWS-based server
// (single-loop, multi-loop, prefork) serves GET with the workload's body here. uWS parses,
// keeps connections alive, closes after `Connection: close` and answers pipelined requests in
// order; it reports no connection events and no parse errors to the application (see the README).
import { HTTP_MAX_HEAD_BYTES, isC1mError } from '@c1m/protocol';
import { loadUws } from '@c1m/uws';
import type { StatsCounters } from './stats-counters.ts';
import type { TlsMaterial } from '@c1m/server-contract';
import { createUwsApp } from './uws-app.ts';
import { bindPort } from './uws-ws.ts';
import type { FrameHandler } from './workload-handler.ts';
import { DRAIN_QUIET_MS, sleep } from './drain.ts';

/** What the app needs from its server. */
export interface UwsHttpContext {
  counters: StatsCounters;
  handle: FrameHandler;
  asyncHandler: boolean;
  /** Sibling threads or processes listen on the same port (SO_REUSEPORT; see UwsWsContext.sharedPort). */
  sharedPort?: boolean;
  /** https: serve inside TLS with this key and certificate. */
  tls?: TlsMaterial;
}

/** A listening uWS HTTP server (one loop). */
export interface UwsHttpServer {
  port: number;
  /** Stops accepting, lets responses owed go out, closes connections; forced at the deadline. */
  close(deadlineMs: number): Promise<{ forced: boolean }>;
}

/** The uWS response object, as far as this module uses it. */
interface Res {
  writeStatus(status: string): Res;
  writeHeader(key: string, value: string): Res;
  end(body?: Uint8Array | string, closeConnection?: boolean): Res;
  onAborted(handler: () => void): Res;
  cork(cb: () => void): Res;
}
/** The uWS request object (valid only during the route handler). */
interface Req {
  getMethod(): string;
  getUrl(): string;
  getQuery(): string | undefined;
  forEach(cb: (key: string, value: string) => void): void;
}

/**
 * The size of a request's head as sent (request line, headers, blank line). uWS 20.30 accepts
 * heads of any size it can buffer, so the 8 KiB limit of the spec is checked here.
 */
function headBytes(req: Req): number {
  const query = req.getQuery();
  let n = req.getMethod().length + req.getUrl().length + (query ? query.length + 1 : 0) + 12;
  req.forEach((key, value) => {
    n += key.length + value.length + 4;
  });
  return n + 2;
}

const NO_BODY = Buffer.alloc(0);
/** Creates the app and listens on host:port (0 = any; shared with siblings via SO_REUSEPORT). */
export async function listenUwsHttp(host: string, port: number, ctx: UwsHttpContext): Promise<UwsHttpServer> {
  const { uws } = loadUws();
  const app = createUwsApp(ctx.tls);
  const { counters } = ctx;
  let owed = 0;

  const send = (res: Res, body: Buffer) => {
    res.writeStatus('200 OK').writeHeader('Content-Type', 'application/octet-stream').end(body);
    counters.frameOut(body.length);
  };
  // A shed request (an offload pool's full queue) is 503 and counted; any other failure is 500.
  const failed = (res: Res, err: unknown) => {
    if (isC1mError(err)) counters.protocolError(err.code);
    const status = isC1mError(err, 'C1M_OVERLOADED') ? '503 Service Unavailable' : '500 Internal Server Error';
    res.writeStatus(status).end('', true);
  };

  app.get('/*', (resIn, reqIn) => {
    const res = resIn as unknown as Res;
    const head = headBytes(reqIn as unknown as Req);
    counters.frameIn(head);
    if (head > HTTP_MAX_HEAD_BYTES) {
      counters.protocolError('C1M_HTTP_BAD_REQUEST');
      res.writeStatus('431 Request Header Fields Too Large').end('', true);
      return;
    }
    if (!ctx.asyncHandler) {
      let body: Buffer;
      try {
        body = ctx.handle(NO_BODY) as Buffer;
      } catch (err) {
        failed(res, err);
        return;
      }
      send(res, body);
      return;
    }
    // uWS invalidates a response whose connection closed; onAborted says so before we touch it.
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    owed++;
    Promise.resolve(ctx.handle(NO_BODY)).then(
      (body) => {
        owed--;
        if (!aborted) res.cork(() => send(res, body));
      },
      (err: unknown) => {
        owed--;
        if (!aborted) res.cork(() => failed(res, err));
      },
    );
  });
  app.any('/*', (resIn, reqIn) => {
    counters.frameIn(headBytes(reqIn as unknown as Req));
    (resIn as unknown as Res).writeStatus('405 Method Not Allowed').writeHeader('Allow', 'GET').end();
  });

  const listenSocket = await bindPort(uws, app, host, port, ctx.sharedPort ?? false);
  return {
    port: uws.us_socket_local_port(listenSocket as never),
    close: async (deadlineMs) => {
      const deadline = Date.now() + deadlineMs;
      uws.us_listen_socket_close(listenSocket as never);
      // Requests already sent may still be unread: let the loop read them before closing sockets.
      await sleep(Math.min(DRAIN_QUIET_MS, deadlineMs));
      while (owed > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const forced = owed > 0;
      // close() exists on the native app though the bundled typings omit it; it closes every socket.
      (app as unknown as { close(): void }).close();
      return { forced };
    },
  };
}
