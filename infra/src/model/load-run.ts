// Reads a results/<run-id>/ directory back: run.json, env.json and every case file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CaseResult, RunEnv, RunInfo } from './case-result.ts';

/** A run as read from disk. */
export interface LoadedRun {
  dir: string;
  run: RunInfo;
  env?: RunEnv;
  cases: CaseResult[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Loads a run directory; throws naming the directory when it holds no run. */
export function loadRun(dir: string): LoadedRun {
  const runFile = join(dir, 'run.json');
  if (!existsSync(runFile)) throw new Error(`${dir} is not a bench:all run (no run.json)`);
  const run = readJson<RunInfo>(runFile);
  const envFile = join(dir, 'env.json');
  const casesDir = join(dir, 'cases');
  const cases = existsSync(casesDir)
    ? readdirSync(casesDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => readJson<CaseResult>(join(casesDir, f)))
    : [];
  return {
    dir,
    run: { ...run, runId: run.runId ?? basename(dir) },
    env: existsSync(envFile) ? readJson<RunEnv>(envFile) : undefined,
    cases,
  };
}
