// Big-endian u32 access by bytes, for the per-message paths. Buffer's readUInt32BE and
// writeUInt32BE check their offset through node's argument validators on every call, which a
// profile of the load generator at ~90,000 messages/s showed among its costliest user-space frames.
// Callers guarantee the 4 bytes are in bounds.

/** The u32 stored big-endian at `at`. */
export function readU32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Stores `value` (an integer in [0, 2^32)) big-endian at `at`. */
export function writeU32BE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}
