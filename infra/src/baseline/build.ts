// Compiles the C baseline echo server and client with the machine's C compiler into a
// git-ignored build directory. Without a compiler the baseline is skipped with a reason, never
// faked: the Node rows are then shown without a ratio to the metal.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { $, which } from 'zx';
import { baselineBuildDir, baselineSourceDir } from '../lib/paths.ts';

/** Paths of the compiled baseline pair, or why there is none. */
export type BaselineBuild =
  | { ok: true; server: string; client: string; compiler: string }
  | { ok: false; reason: string };

const PROGRAMS = ['echo-server', 'echo-client'] as const;

function newer(source: string, binary: string): boolean {
  try {
    return statSync(source).mtimeMs > statSync(binary).mtimeMs;
  } catch {
    return true; // binary missing
  }
}

/** Builds (or reuses an up-to-date build of) both programs. */
export async function buildBaseline(): Promise<BaselineBuild> {
  const compiler = (await which('cc', { nothrow: true })) ?? (await which('gcc', { nothrow: true }));
  if (!compiler) {
    return { ok: false, reason: 'no C compiler (cc/gcc) on PATH: baseline row skipped' };
  }
  mkdirSync(baselineBuildDir, { recursive: true });
  for (const name of PROGRAMS) {
    const source = join(baselineSourceDir, `${name}.c`);
    const binary = join(baselineBuildDir, name);
    if (!newer(source, binary)) continue;
    const out = await $({
      nothrow: true,
      quiet: true,
    })`${compiler} -O2 -Wall -Wextra -std=gnu11 -o ${binary} ${source}`;
    if (out.exitCode !== 0) {
      return { ok: false, reason: `${compiler} failed on ${name}.c: ${out.stderr.trim().slice(0, 500)}` };
    }
  }
  return {
    ok: true,
    server: join(baselineBuildDir, 'echo-server'),
    client: join(baselineBuildDir, 'echo-client'),
    compiler,
  };
}
