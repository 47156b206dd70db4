// Test helper: runs a function and reports the C1mError code it threw, so malformed-input tests
// assert on the stable code rather than on message text.
import { isC1mError } from '../src/index.ts';

/** The code of the C1mError `fn` throws, a description of any other throw, or undefined. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isC1mError(err) ? err.code : `not a C1mError: ${String(err)}`;
  }
  return undefined;
}
