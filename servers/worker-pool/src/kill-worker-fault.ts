// Fault injection for the fault tests (pnpm test:faults): with C1M_FAULT_INJECTION=1 in the
// environment, SIGUSR2 terminates the pool's busiest worker thread, the way a crashing thread
// ends, so a test can kill one thread of a live server from outside while it is under load.
// Without the variable nothing is installed and SIGUSR2 keeps its default action.
import type { PoolThread } from './offload-pool.ts';

/** The environment variable that enables the hook. */
export const FAULT_INJECTION_ENV = 'C1M_FAULT_INJECTION';

/**
 * Installs the SIGUSR2 hook when enabled; returns its removal. The line written to stderr,
 * `{"event":"fault","kind":"kill-worker","jobsInFlight":N}`, says how many jobs died with the thread.
 */
export function installKillWorkerFault(threads: () => readonly PoolThread[]): () => void {
  if (process.env[FAULT_INJECTION_ENV] !== '1') return () => {};
  const onSignal = () => {
    const live = threads();
    if (live.length === 0) return;
    // The busiest thread, so that replies are in flight on it when it dies.
    const victim = live.reduce((a, b) => (b.outstanding > a.outstanding ? b : a));
    process.stderr.write(`${JSON.stringify({ event: 'fault', kind: 'kill-worker', jobsInFlight: victim.outstanding })}\n`);
    void victim.worker.terminate();
  };
  process.on('SIGUSR2', onSignal);
  return () => process.off('SIGUSR2', onSignal);
}
