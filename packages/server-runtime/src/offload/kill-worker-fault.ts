// Fault injection for the fault tests (pnpm test:faults): with C1M_FAULT_INJECTION=1 in the
// environment, SIGUSR2 arms a kill: the next worker thread about to be handed a batch of jobs is
// terminated just before the batch goes out, the way a crashing thread ends, so a test can kill one
// thread of a live server from outside with replies certainly in flight on it. Without the variable nothing is
// installed and SIGUSR2 keeps its default action.
import type { PoolThread } from './offload-pool.ts';

/** The environment variable that enables the hook. */
export const FAULT_INJECTION_ENV = 'C1M_FAULT_INJECTION';

/** The pool's side of the hook. */
export interface KillWorkerFault {
  /** Called before a batch is posted to `thread`: terminates it when a kill is armed. */
  beforeDispatch(thread: PoolThread): void;
  remove(): void;
}

/** Installs the SIGUSR2 hook when enabled; the kill writes `{"event":"fault","kind":"kill-worker"}` to stderr. */
export function installKillWorkerFault(): KillWorkerFault {
  if (process.env[FAULT_INJECTION_ENV] !== '1') return { beforeDispatch: () => {}, remove: () => {} };
  let armed = false;
  const onSignal = () => {
    armed = true;
  };
  process.on('SIGUSR2', onSignal);
  return {
    beforeDispatch(thread) {
      if (!armed) return;
      armed = false;
      process.stderr.write(`${JSON.stringify({ event: 'fault', kind: 'kill-worker' })}\n`);
      void thread.worker.terminate();
    },
    remove: () => process.off('SIGUSR2', onSignal),
  };
}
