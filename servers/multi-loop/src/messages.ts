// What the main thread and a loop worker tell each other: the worker's start-up data and the
// few messages of its life (listening, drain, drained).
import type { ServerOptions } from '@c1m/server-contract';

/** workerData of one loop worker. */
export interface LoopWorkerData {
  options: ServerOptions;
  /** Port to bind: 0 only for the first worker; the others share the port it got (SO_REUSEPORT). */
  port: number;
  /** This worker's counter block, read by the main thread for /stats. */
  counters: SharedArrayBuffer;
  /** The process-wide connection budget every loop draws on. */
  gate: SharedArrayBuffer;
  gateLimit: number;
}

export type ToLoopWorker = { type: 'drain'; deadlineMs: number };
export type FromLoopWorker = { type: 'listening'; port: number } | { type: 'drained'; forced: boolean };
