// One event loop of the multi-loop server: a uWS app in a worker thread on the shared port.
// It drains itself when told to, closing its listen socket and every connection before the
// thread ends (a thread that ends with uWS sockets open aborts the whole process).
import { parentPort, workerData } from 'node:worker_threads';
import { ConnectionGate, startOwnLoop, StatsCounters } from '@c1m/server-runtime';
import type { FromLoopWorker, LoopWorkerData, ToLoopWorker } from './messages.ts';

async function run(): Promise<void> {
  const channel = parentPort!;
  const data = workerData as LoopWorkerData;
  const loop = await startOwnLoop(data.options, {
    counters: new StatsCounters(data.counters),
    port: data.port,
    shared: true,
    gate: new ConnectionGate(data.gateLimit, data.gate),
  });
  const tell = (message: FromLoopWorker) => channel.postMessage(message);
  channel.on('message', (message: ToLoopWorker) => {
    if (message.type !== 'drain') return;
    void loop.close(message.deadlineMs).then(({ forced }) => {
      tell({ type: 'drained', forced });
      // Nothing is left on this loop: closing the channel lets the thread end on its own.
      channel.close();
    });
  });
  tell({ type: 'listening', port: loop.port });
}

// A start-up failure is an unhandled rejection: it ends this thread and reaches the main thread
// as the Worker's 'error' event, which fails start().
void run();
