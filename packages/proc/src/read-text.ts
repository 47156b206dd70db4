// The one place /proc files are read: every reader of this package returns undefined when its
// file does not exist (not Linux, or a process that exited between listing and reading).
import { readFileSync } from 'node:fs';

/** The text of a /proc (or /proc-like) file, or undefined when it cannot be read. */
export function readProcText(path: string): string | undefined {
  try {
    // latin1: /proc text is ASCII, but a process's comm may hold any byte; latin1 never rejects one.
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}
