// Multi-loop: N uWebSockets.js event loops, one per worker thread, all listening on one port
// (SO_REUSEPORT: the kernel spreads connections over the loops). The main thread only starts
// them, reads their shared-memory counters for /stats and tells them to drain.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import pkg from '../package.json' with { type: 'json' };
import { specFromPackage, type RunningServer, type ServerOptions } from '@c1m/server-contract';
import {
  bundledEntryUrl,
  ConnectionGate,
  processBudget,
  singleProcessServer,
  StatsCounters,
} from '@c1m/server-runtime';
import type { FromLoopWorker, LoopWorkerData, ToLoopWorker } from './messages.ts';

export const spec = specFromPackage(pkg, true);

/** One running loop as the main thread sees it. */
interface Loop {
  worker: Worker;
  counters: StatsCounters;
  port: number;
}

/** Starts the server (no side effects on import). */
export async function start(options: ServerOptions): Promise<RunningServer> {
  const gate = new ConnectionGate(processBudget());
  const spawn = (port: number) =>
    startLoop({ options, port, counters: StatsCounters.sharedBuffer(), gate: gate.buffer, gateLimit: gate.limit });
  // The first loop binds (port 0 = any free port); the others join the port it got.
  const first = await spawn(options.port);
  const rest = await Promise.allSettled(Array.from({ length: options.workers - 1 }, () => spawn(first.port)));
  const loops = [first, ...rest.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))];
  const failed = rest.find((r) => r.status === 'rejected');
  if (failed) {
    // Loops that did start hold a listen socket: end them cleanly before failing.
    await Promise.all(loops.map((l) => drainLoop(l, 0)));
    throw failed.reason;
  }
  return singleProcessServer({
    architecture: spec.name,
    port: first.port,
    threads: loops.length,
    collect: () => loops.map((l) => l.counters.snapshot()),
    connectionsBySource: () => loops.map((l) => l.counters.connectionsCurrent),
    drain: async (deadlineMs) => {
      const results = await Promise.all(loops.map((l) => drainLoop(l, deadlineMs)));
      return { forced: results.some((r) => r.forced) };
    },
  });
}

/** Starts one loop worker; resolves once it listens, rejects if it fails first. */
async function startLoop(data: LoopWorkerData): Promise<Loop> {
  const worker = new Worker(bundledEntryUrl(import.meta.url, 'loop-worker'), { workerData: data });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: FromLoopWorker) => {
      if (message.type === 'listening') resolve(message.port);
      else reject(new Error(`loop worker sent ${message.type} before listening`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`loop worker exited with code ${code} before listening`)));
  });
  return { worker, counters: new StatsCounters(data.counters), port };
}

/** Tells a loop to drain and waits until its thread has ended. */
async function drainLoop(loop: Loop, deadlineMs: number): Promise<{ forced: boolean }> {
  const { worker } = loop;
  let forced = true;
  worker.on('message', (message: FromLoopWorker) => {
    if (message.type === 'drained') forced = message.forced;
  });
  const exited = once(worker, 'exit') as Promise<[number]>;
  worker.postMessage({ type: 'drain', deadlineMs } satisfies ToLoopWorker);
  const [code] = await exited.catch(() => [1]);
  return { forced: forced || code !== 0 };
}
