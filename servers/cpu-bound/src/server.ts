// cpu-bound: every reply burns CPU (the cpu workload's SHA-256 chain, --cpu-rounds). Both styles
// run the same one-loop server (uWS for ws, node:net 'data' callbacks for tcp: single-loop's
// design); only where replies are computed differs. `--style loop` computes them on the event loop
// that does the I/O; `--style offload` hands them to the runtime's offload pool of worker threads
// (worker-pool's design).
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import { bundledEntryUrl, createOffloadHandler, createWorkloadHandler, startLoopServer } from '@c1m/server-runtime';

export const spec = specFromPackage(pkg, true);

/** Starts the server (no side effects on import); the workload is always cpu (see package.json). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const cpu = { ...options, workload: 'cpu' as const };
  const offload = cpu.style === 'offload';
  const pool = offload ? await createOffloadHandler(cpu, bundledEntryUrl(import.meta.url, 'pool-worker')) : null;
  return startLoopServer({
    architecture: spec.name,
    options: cpu,
    handler: pool ?? (await createWorkloadHandler(cpu)),
    threads: offload ? 1 + cpu.workers : 1,
    architectureStats: pool ? () => pool.poolStats() : undefined,
  });
}
