// Protocol errors carry a stable code next to the human message, so servers, tests and
// result files can count them by kind.

/** Every error code c1m reports, for counting in stats and result files. */
export const ERROR_CODES = [
  'C1M_FRAME_TOO_LARGE',
  'C1M_BODY_TOO_SHORT',
  'C1M_IO_RANGE',
  'C1M_WS_PROTOCOL',
  'C1M_WS_INVALID_UTF8',
  'C1M_WS_FRAME_TOO_LARGE',
  'C1M_HTTP_UPGRADE',
  'C1M_HANDSHAKE_TIMEOUT',
  'C1M_REPLY_MISMATCH',
  // A server shed the request because its work queue was full (worker-pool, cpu-bound offload);
  // the connection is closed (WebSocket close code 1013, "try again later").
  'C1M_OVERLOADED',
  // Causes the load generator counts on its own side (a server never reports these):
  // the server closed a WebSocket connection (close frame);
  'C1M_WS_CLOSED',
  // a client-side failure that carried no code of its own (neither c1m's nor an errno);
  'C1M_CLIENT_ERROR',
  // a reply answering no request in flight;
  'C1M_REPLY_UNEXPECTED',
  // a reply that came after its request had already been counted missing (a hold round's deadline).
  'C1M_REPLY_LATE',
  // A worker thread died with the request in it (worker-pool, cpu-bound offload): the reply is
  // lost, never made up; the connection is closed (counted once per connection closed) and the
  // pool starts a replacement.
  'C1M_WORKER_LOST',
  // HTTP transport: a request the server cannot parse (answered 400 and closed where the engine
  // allows), and a response the client cannot accept (malformed, not 200, or a head too large).
  'C1M_HTTP_BAD_REQUEST',
  'C1M_HTTP_RESPONSE',
  // --tls asked of an engine built without TLS: the server refuses to start (exit 2).
  'C1M_TLS_UNSUPPORTED',
] as const;

export type C1mErrorCode = (typeof ERROR_CODES)[number];

/** The codes that judge a reply rather than a connection: a run counts them as wrong replies, not lost connections. */
export const REPLY_ERROR_CODES = [
  'C1M_REPLY_MISMATCH',
  'C1M_REPLY_UNEXPECTED',
  'C1M_REPLY_LATE',
] as const satisfies readonly C1mErrorCode[];

/**
 * The operating system's reason, exactly as Node reports it in `err.code` (ECONNREFUSED,
 * EADDRNOTAVAIL, EMFILE, ETIMEDOUT …). Kept apart from ERROR_CODES: they are the network's and
 * the kernel's words, open-ended, and a result must tell them from c1m's own.
 */
export type ErrnoCause = `E${string}`;

/** The peer ended the stream (FIN) without an error: not an errno, but counted like one when unexpected. */
export const END_OF_STREAM = 'EOF';

/** Why a client connection failed or ended, or a reply did not count: c1m's code, an errno, or EOF. */
export type FailureCause = C1mErrorCode | ErrnoCause | typeof END_OF_STREAM;

/** True when `cause` is one of c1m's codes (not an errno). */
export function isC1mErrorCode(cause: string): cause is C1mErrorCode {
  return (ERROR_CODES as readonly string[]).includes(cause);
}

/** True when `cause` has the form of an errno name (E followed by capitals or digits). */
export function isErrnoCause(cause: string): cause is ErrnoCause {
  return /^E[A-Z0-9]+$/.test(cause);
}

/** The cause an error stands for: its c1m code, else its errno, else C1M_CLIENT_ERROR. */
export function failureCause(err: unknown): FailureCause {
  if (isC1mError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && isErrnoCause(code) ? code : 'C1M_CLIENT_ERROR';
}

/** An error with a stable machine-readable `code`. */
export class C1mError extends Error {
  readonly code: C1mErrorCode;
  constructor(code: C1mErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'C1mError';
    this.code = code;
  }
}

/** True when `err` is a C1mError (optionally of the given code). */
export function isC1mError(err: unknown, code?: C1mErrorCode): err is C1mError {
  return err instanceof C1mError && (code === undefined || err.code === code);
}
