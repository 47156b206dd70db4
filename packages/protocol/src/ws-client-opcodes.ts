// RFC 6455 numbers the client framing needs: opcodes and which close codes may appear on the wire.

/** Continuation frame of a fragmented message. */
export const OPCODE_CONTINUATION = 0;
/** Text message (payload must be UTF-8). */
export const OPCODE_TEXT = 1;
/** Binary message. */
export const OPCODE_BINARY = 2;
/** Close control frame. */
export const OPCODE_CLOSE = 8;
/** Ping control frame. */
export const OPCODE_PING = 9;
/** Pong control frame. */
export const OPCODE_PONG = 10;

/** Largest payload of a control frame (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Close code used when a close frame carries no code (never sent on the wire). */
export const CLOSE_NO_STATUS = 1005;
/** Normal closure. */
export const CLOSE_NORMAL = 1000;
/** The peer broke the protocol. */
export const CLOSE_PROTOCOL_ERROR = 1002;
/** A text message (or close reason) was not valid UTF-8. */
export const CLOSE_INVALID_PAYLOAD = 1007;
/** A message exceeded the receiver's limit. */
export const CLOSE_TOO_BIG = 1009;

/**
 * True when `code` may appear in a close frame: the RFC 6455 codes a peer can send
 * (1000-1003, 1007-1011, plus the IANA-registered 1012-1014) and the application range 3000-4999.
 * 1004, 1005, 1006 and 1015 are reserved for local use and never valid on the wire.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
