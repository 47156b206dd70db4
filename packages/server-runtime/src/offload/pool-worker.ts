// One thread of the offload pool: computes replies with the protocol's workload functions (the
// same handler a loop server uses) for each batch the reactor sends, and sends results back batched.
import { parentPort, workerData } from 'node:worker_threads';
import { isC1mError } from '@c1m/protocol';
import { createWorkloadHandler } from '../workload-handler.ts';
import {
  BatchWriter,
  CLOSE_MESSAGE,
  errorTag,
  readBatch,
  READY_MESSAGE,
  TAG_INTERNAL_ERROR,
  TAG_OK,
  type PoolWorkerData,
} from './batch.ts';

const EMPTY = new Uint8Array(0);

async function run(): Promise<void> {
  const port = parentPort!;
  const handler = await createWorkloadHandler((workerData as PoolWorkerData).options);
  const results = new BatchWriter();
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    if (results.size === 0) return;
    const buffer = results.take();
    port.postMessage(buffer, [buffer]);
  };
  const fail = (id: number, err: unknown) =>
    results.add(id, isC1mError(err) ? errorTag(err.code) : TAG_INTERNAL_ERROR, EMPTY);
  // Async replies (io) complete one by one: gather those of one loop turn into one message.
  const settleLater = (id: number, reply: Promise<Buffer>) => {
    reply
      .then(
        (r) => results.add(id, TAG_OK, r),
        (err: unknown) => fail(id, err),
      )
      .finally(() => {
        if (flushScheduled) return;
        flushScheduled = true;
        setImmediate(flush);
      });
  };

  port.on('message', (message: ArrayBuffer | string) => {
    if (message === CLOSE_MESSAGE) {
      void handler.close().finally(() => port.close());
      return;
    }
    readBatch(message as ArrayBuffer, (id, _tag, body) => {
      try {
        const reply = handler.handle(body);
        if (reply instanceof Promise) settleLater(id, reply);
        else results.add(id, TAG_OK, reply);
      } catch (err) {
        fail(id, err);
      }
    });
    flush();
  });
  port.postMessage(READY_MESSAGE);
}

// A failure surfaces in the pool as this worker's 'error' event: it fails the worker's jobs.
void run();
