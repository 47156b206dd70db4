// The handlers of the http workloads (protocol README 3.4-3.6). A GET has no body, so the handler
// ignores its argument: static returns one precomputed body, aes encrypts it afresh per request,
// sleep returns it after a timer.
import { aesHttpBody, DEFAULT_HTTP_BODY_BYTES, DEFAULT_HTTP_SLEEP_MS, staticHttpBody } from '@c1m/protocol';
import type { ServerOptions } from '@c1m/server-contract';
import type { WorkloadHandler } from './workload-handler.ts';

/** Builds the handler of options.workload, one of static, aes and sleep. */
export function createHttpWorkloadHandler(options: ServerOptions): WorkloadHandler {
  const body = staticHttpBody(options.bodySize ?? DEFAULT_HTTP_BODY_BYTES);
  const close = async () => {};
  switch (options.workload) {
    case 'aes':
      return { handle: () => aesHttpBody(body), async: false, close };
    case 'sleep': {
      const ms = options.sleepMs ?? DEFAULT_HTTP_SLEEP_MS;
      return { handle: () => new Promise<Buffer>((resolve) => setTimeout(resolve, ms, body)), async: true, close };
    }
    default:
      return { handle: () => body, async: false, close };
  }
}
