// cpu-bound: every reply burns CPU (the cpu workload's SHA-256 chain, --cpu-rounds), computed
// either on the event loop that does the I/O (`--style loop`: single-loop's uWS server for ws,
// node:net 'data' callbacks for tcp) or offloaded to worker threads (`--style offload`:
// worker-pool's reactor for ws, its offload handler behind a node:net loop for tcp).
import pkg from '../package.json' with { type: 'json' };
import { start as startSingleLoop } from '@c1m/single-loop';
import { createOffloadHandler, start as startWorkerPool } from '@c1m/worker-pool';
import {
  createWorkloadHandler,
  reportingAs,
  specFromPackage,
  startLoopServer,
  type RunningServer,
  type ServerOptions,
} from '@c1m/server-contract';

export const spec = specFromPackage(pkg, true);

/** Starts the server (no side effects on import); the workload is always cpu (see package.json). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const cpu = { ...options, workload: 'cpu' as const };
  if (cpu.style === 'offload') {
    if (cpu.transport === 'ws') return reportingAs(await startWorkerPool(cpu), spec.name);
    return startLoopServer({ architecture: spec.name, options: cpu, handler: await createOffloadHandler(cpu), threads: 1 + cpu.workers });
  }
  if (cpu.transport === 'ws') return reportingAs(await startSingleLoop(cpu), spec.name);
  return startLoopServer({ architecture: spec.name, options: cpu, handler: await createWorkloadHandler(cpu) });
}
