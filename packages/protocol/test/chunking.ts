// Test helper: cuts a byte stream into chunks at arbitrary split points, so decoders can be
// checked against every way the network might deliver the same bytes.
import fc from 'fast-check';

/** Splits `stream` at the given cut points (any numbers; taken modulo the length, sorted, deduplicated). */
export function splitAt(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % (stream.length + 1))))].sort(
    (a, b) => a - b,
  );
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(stream.subarray(from, p));
    from = p;
  }
  chunks.push(stream.subarray(from));
  // Fresh copies: a decoder must not rely on chunk memory outliving push().
  return chunks.map((c) => Buffer.from(c));
}

/** Arbitrary cut points: none, a few, or very many (down to 1-byte chunks). */
export const cutPoints = fc.oneof(
  fc.array(fc.nat(), { maxLength: 8 }),
  fc.array(fc.nat(), { minLength: 50, maxLength: 400 }),
);
