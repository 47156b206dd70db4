// Where things live: the repository root, the results directory, the C baseline sources and build.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root. */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Root of every run's results (git-ignored). */
export const resultsRoot = join(repoRoot, 'results');
/** C sources of the baseline echo pair. */
export const baselineSourceDir = join(repoRoot, 'infra', 'baseline');
/** Compiled baseline binaries (git-ignored). */
export const baselineBuildDir = join(baselineSourceDir, 'build');
/**
 * Previous sysctl values saved by `pnpm tune --apply` (git-ignored); C1M_TUNE_SAVED_FILE moves it
 * (tests run tune in a namespace of their own and must not touch the machine's saved values).
 */
export const tuneSavedFile = process.env.C1M_TUNE_SAVED_FILE || join(repoRoot, '.c1m-tune-saved.json');
