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

/** Each program and the files it is built from (the first ones compiled, headers only watched). */
const PROGRAMS = {
  'echo-server': {
    sources: ['echo-server.c', 'http-serve.c', 'workers.c'],
    headers: ['http-serve.h', 'server-counters.h', 'workers.h'],
  },
  'echo-client': { sources: ['echo-client.c'], headers: [] },
} as const;

function newer(inputs: string[], binary: string): boolean {
  try {
    const built = statSync(binary).mtimeMs;
    return inputs.some((input) => statSync(input).mtimeMs > built);
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
  for (const [name, files] of Object.entries(PROGRAMS)) {
    const sources = files.sources.map((f) => join(baselineSourceDir, f));
    const binary = join(baselineBuildDir, name);
    if (!newer([...sources, ...files.headers.map((f) => join(baselineSourceDir, f))], binary)) continue;
    const out = await $({
      nothrow: true,
      quiet: true,
    })`${compiler} -O2 -Wall -Wextra -std=gnu11 -o ${binary} ${sources}`;
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
