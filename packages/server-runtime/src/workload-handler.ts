// Turns the --workload flags into the function that computes a reply for each body. Synchronous
// workloads return a Buffer (the fast path); io returns a Promise.
import { cpuReply, parseIoRequest } from '@c1m/protocol';
import type { ServerOptions } from '@c1m/server-contract';
import { createHttpWorkloadHandler } from './http-workload-handler.ts';
import { IoDataFile } from './io-data.ts';

/** Computes the reply to one body. May throw C1mError for a malformed body. */
export type FrameHandler = (body: Buffer) => Buffer | Promise<Buffer>;

/** A handler plus whatever it holds open. */
export interface WorkloadHandler {
  handle: FrameHandler;
  /** True when replies come back as Promises (callers keep replies in order). */
  async: boolean;
  close(): Promise<void>;
}

/** Builds the handler for the options' workload. */
export async function createWorkloadHandler(options: ServerOptions): Promise<WorkloadHandler> {
  switch (options.workload) {
    case 'echo':
      return { handle: (body) => body, async: false, close: async () => {} };
    case 'cpu': {
      const rounds = options.cpuRounds;
      return { handle: (body) => cpuReply(body, rounds), async: false, close: async () => {} };
    }
    case 'io': {
      const file = await IoDataFile.create(options.ioFileBytes);
      const maxRead = options.ioMaxReadBytes;
      return {
        handle: (body) => file.reply(body, parseIoRequest(body, maxRead)),
        async: true,
        close: () => file.close(),
      };
    }
    case 'static':
    case 'aes':
    case 'sleep':
      return createHttpWorkloadHandler(options);
  }
}
