// The offload pool: a WorkloadHandler whose replies are computed by worker_threads. Each frame
// becomes a job sent to the least-loaded worker; the jobs of one loop turn travel as one transferred
// batch per worker, and results come back the same way. The queue is bounded: past --queue-limit
// jobs (or MAX_QUEUED_BYTES of bodies) a new job is shed with C1M_OVERLOADED instead of
// letting memory and latency grow without bound. A worker that dies fails only the jobs it held
// (C1M_WORKER_LOST: their replies are lost, never made up) and is replaced, so the pool returns
// to full size (/stats poolWorkers, poolWorkerRestarts).
import { Worker } from 'node:worker_threads';
import { C1mError } from '@c1m/protocol';
import { DEFAULT_QUEUE_LIMIT, type ServerOptions } from '@c1m/server-contract';
import type { WorkloadHandler } from '../workload-handler.ts';
import { installKillWorkerFault } from './kill-worker-fault.ts';
import {
  BatchWriter,
  CLOSE_MESSAGE,
  errorCodeOfTag,
  readBatch,
  READY_MESSAGE,
  TAG_OK,
  type PoolWorkerData,
} from './batch.ts';

/** Bodies queued at once, whatever their count: bounds memory when frames are large. */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const CLOSE_GRACE_MS = 2000;

interface Job {
  resolve: (reply: Buffer) => void;
  reject: (err: Error) => void;
  worker: PoolThread;
  bytes: number;
}

/** The pool as /stats reports it (in architectureStats: the pool is this architecture's own). */
export type PoolStats = {
  /** Worker threads serving now (back to --workers after a replacement started). */
  poolWorkers: number;
  /** Workers that died unexpectedly and were replaced. */
  poolWorkerRestarts: number;
};

/** A workload handler backed by the pool, which also reports the pool's size. */
export interface OffloadHandler extends WorkloadHandler {
  poolStats(): PoolStats;
}

/** One worker thread of the pool. */
export interface PoolThread {
  worker: Worker;
  /** Jobs sent (or about to be) and not yet answered. */
  outstanding: number;
  /** Jobs of this loop turn, sent by postMessage at its end. */
  batch: BatchWriter;
}

// One shared instance: under overload, building an Error (and its stack) per shed frame would cost
// more than the frame.
const OVERLOADED = new C1mError('C1M_OVERLOADED', 'the worker pool queue is full');
const WORKER_LOST = new C1mError('C1M_WORKER_LOST', 'the worker thread computing this reply died');

/**
 * Starts `options.workers` threads (each builds the workload handler for `options`) and resolves
 * once all are ready; at most `options.queueLimit` jobs wait or run. `workerUrl` is the server's
 * bundled copy of pool-worker.ts (`bundledEntryUrl(import.meta.url, 'pool-worker')` in the server,
 * whose build bundles `@c1m/server-runtime/pool-worker`). The handler is async: the server keeps
 * replies in order per connection.
 */
export async function createOffloadHandler(options: ServerOptions, workerUrl: URL): Promise<OffloadHandler> {
  const pool = { workers: options.workers, queueLimit: options.queueLimit ?? DEFAULT_QUEUE_LIMIT };
  const jobs = new Map<number, Job>();
  let nextId = 0;
  let queuedBytes = 0;
  let flushScheduled = false;
  let closing = false;
  let restarts = 0;

  const settle = (id: number, tag: number, reply: Buffer) => {
    const job = jobs.get(id);
    if (!job) return;
    jobs.delete(id);
    job.worker.outstanding--;
    queuedBytes -= job.bytes;
    if (tag === TAG_OK) return job.resolve(reply);
    const code = errorCodeOfTag(tag);
    job.reject(code ? new C1mError(code, 'rejected by the workload') : new Error('worker failed to compute a reply'));
  };

  /** Fails the jobs a thread still holds; returns how many. */
  const failThread = (thread: PoolThread, err: Error): number => {
    let failed = 0;
    for (const [id, job] of jobs) {
      if (job.worker !== thread) continue;
      jobs.delete(id);
      queuedBytes -= job.bytes;
      job.reject(err);
      failed++;
    }
    thread.outstanding = 0;
    thread.batch.take();
    return failed;
  };

  const spawn = (): Promise<PoolThread> => {
    const data: PoolWorkerData = { options };
    const thread: PoolThread = {
      worker: new Worker(workerUrl, { workerData: data }),
      outstanding: 0,
      batch: new BatchWriter(),
    };
    return new Promise((resolve, reject) => {
      thread.worker.once('error', reject);
      thread.worker.once('message', (first: unknown) => {
        if (first !== READY_MESSAGE) return reject(new Error(`pool worker said ${String(first)} before ready`));
        thread.worker.off('error', reject);
        thread.worker.on('message', (batch: ArrayBuffer) => readBatch(batch, settle));
        // A crashed worker fails only its own jobs and leaves the pool; a replacement joins it.
        thread.worker.on('error', (err) => failThread(thread, err));
        thread.worker.on('exit', () => {
          if (closing) return;
          const jobsLost = failThread(thread, WORKER_LOST);
          threads.splice(threads.indexOf(thread), 1);
          restarts++;
          process.stderr.write(`${JSON.stringify({ event: 'worker-lost', jobsLost, restarts })}\n`);
          spawn().then(
            (fresh) => (closing ? void stopThread(fresh.worker) : threads.push(fresh)),
            // Until one starts, the remaining workers serve (with none left, every job is shed).
            (err: Error) => process.stderr.write(`worker-pool: a replacement worker failed to start: ${err.message}\n`),
          );
        });
        resolve(thread);
      });
    });
  };

  const threads = await Promise.all(Array.from({ length: pool.workers }, spawn));
  const fault = installKillWorkerFault();

  const flush = () => {
    flushScheduled = false;
    for (const thread of threads) {
      if (thread.batch.size === 0) continue;
      fault.beforeDispatch(thread);
      const buffer = thread.batch.take();
      thread.worker.postMessage(buffer, [buffer]);
    }
  };

  const leastLoaded = (): PoolThread => {
    let best = threads[0]!;
    for (let i = 1; i < threads.length; i++) if (threads[i]!.outstanding < best.outstanding) best = threads[i]!;
    return best;
  };

  const handle = (body: Buffer): Promise<Buffer> => {
    const full = jobs.size >= pool.queueLimit || (jobs.size > 0 && queuedBytes + body.length > MAX_QUEUED_BYTES);
    if (full || closing || threads.length === 0) {
      return Promise.reject(OVERLOADED);
    }
    const id = nextId;
    nextId = (nextId + 1) >>> 0;
    const thread = leastLoaded();
    thread.outstanding++;
    thread.batch.add(id, TAG_OK, body);
    queuedBytes += body.length;
    // Everything one loop turn receives goes out together after the turn's I/O callbacks.
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return new Promise((resolve, reject) => jobs.set(id, { resolve, reject, worker: thread, bytes: body.length }));
  };

  return {
    handle,
    async: true,
    poolStats: () => ({ poolWorkers: threads.length, poolWorkerRestarts: restarts }),
    close: async () => {
      closing = true;
      fault.remove();
      flush();
      await Promise.all(threads.map((t) => stopThread(t.worker)));
      for (const thread of threads) failThread(thread, new Error('worker pool closed'));
    },
  };
}

/** Asks a worker to release its handler and exit; terminates it if it does not in time. */
async function stopThread(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(CLOSE_MESSAGE);
  const timer = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
