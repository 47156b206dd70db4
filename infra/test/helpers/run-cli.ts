// Runs one of infra's CLIs as a real process under tsx and returns its exit code and output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const infra = join(import.meta.dirname, '..', '..');

/** Runs infra/src/<script> with `args`; never throws for a non-zero exit. */
export async function runInfraCli(
  script: string,
  args: string[],
  timeoutMs?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      join(infra, 'node_modules', '.bin', 'tsx'),
      [join(infra, 'src', script), ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
        timeout: timeoutMs,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
