// The seed of a randomised test: C1M_FUZZ_SEED replays a failure, otherwise the clock picks one.
// fast-check prints the seed (and the shrunk case) when a property fails.

/** The seed to run with (from C1M_FUZZ_SEED when set). */
export function fuzzSeed(): number {
  const fromEnv = process.env.C1M_FUZZ_SEED;
  if (fromEnv === undefined || fromEnv === '') return Date.now() | 0;
  const seed = Number(fromEnv);
  if (!Number.isSafeInteger(seed)) throw new Error(`C1M_FUZZ_SEED must be an integer, got ${fromEnv}`);
  return seed | 0;
}
