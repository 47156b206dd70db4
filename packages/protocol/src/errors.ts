// Protocol errors carry a stable code next to the human message, so servers, tests and
// result files can count them by kind.

/** Every error code c1m reports, for counting in stats and result files. */
export const ERROR_CODES = [
  'C1M_FRAME_TOO_LARGE',
  'C1M_BODY_TOO_SHORT',
  'C1M_IO_RANGE',
  'C1M_PACKET_OUT_OF_RANGE',
  'C1M_PACKET_INVALID_UTF8',
  'C1M_WS_PROTOCOL',
  'C1M_WS_INVALID_UTF8',
  'C1M_WS_FRAME_TOO_LARGE',
  'C1M_HTTP_UPGRADE',
  'C1M_HANDSHAKE_TIMEOUT',
  'C1M_REPLY_MISMATCH',
  // A server shed the request because its work queue was full (worker-pool, cpu-bound offload);
  // the connection is closed (WebSocket close code 1013, "try again later").
  'C1M_OVERLOADED',
  // HTTP transport: a request the server cannot parse (answered 400 and closed where the engine
  // allows), and a response the client cannot accept (malformed, not 200, or a head too large).
  'C1M_HTTP_BAD_REQUEST',
  'C1M_HTTP_RESPONSE',
  // --tls asked of an engine built without TLS: the server refuses to start (exit 2).
  'C1M_TLS_UNSUPPORTED',
] as const;

export type C1mErrorCode = (typeof ERROR_CODES)[number];

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
