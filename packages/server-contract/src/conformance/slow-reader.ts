// A client that stops reading and keeps sending, paced by the server's own progress: the way a
// slow or stuck peer pushes replies back up into a server. Pacing by the server's framesOut keeps
// offloading servers from shedding the flood as overload (C1M_OVERLOADED) before any reply backs up,
// so what is measured is backpressure and nothing else.
import type { Workload } from '@c1m/protocol';
import type { ServerStats } from '@c1m/schema';
import { makeRequest, seededRandom } from './requests.ts';
import type { TestClient } from './test-client.ts';

/** How a slow reader's push ended. */
export interface SlowReaderResult {
  /** The server closed the connection. */
  closed: boolean;
  /** The server stopped taking requests for `stallMs` (reading paused) while the connection stayed open. */
  stalled: boolean;
  framesSent: number;
  bytesSent: number;
}

/** Options of pushSlowReader. */
export interface SlowReaderOptions {
  workload: Workload;
  stats: () => Promise<ServerStats>;
  /** Request body bytes (echo/cpu: the body; io: the read length asked for, replies are 12 bytes longer). */
  bodyBytes: number;
  /** Requests written per batch before waiting for the server to answer them. */
  batchFrames: number;
  /** Stop after this many request bytes. */
  maxBytes: number;
  /** Stop when the server answered nothing new for this long. */
  stallMs: number;
  /** Stop after this long in all. */
  timeoutMs: number;
  /** Stop once the server's stats show what the caller waits for. */
  done?: (stats: ServerStats) => boolean;
}

/**
 * Stops reading on `c`, then writes batches of requests; before each next batch waits until the
 * server answered (framesOut) all but one batch. Ends when the server closes `c`, stops answering
 * for stallMs, or a bound is reached. Only `c` sends while this runs, apart from round trips the
 * caller counts in `otherFrames()`.
 */
export async function pushSlowReader(
  c: TestClient,
  opts: SlowReaderOptions,
  otherFrames: () => number = () => 0,
): Promise<SlowReaderResult> {
  c.stopReading();
  const random = seededRandom(opts.bodyBytes);
  const start = await opts.stats();
  const deadline = Date.now() + opts.timeoutMs;
  const request = makeRequest(opts.workload, 1, opts.bodyBytes, random);
  if (opts.workload === 'io') request.writeUInt32BE(opts.bodyBytes, 16);
  const frame = c.frame(request);
  const perBatch = opts.batchFrames;
  let framesSent = 0;
  let bytesSent = 0;
  /** Replies the server handed out on `c` so far (its framesOut, less the caller's other round trips). */
  let answered = 0;
  let lastProgress = Date.now();
  while (Date.now() < deadline && bytesSent < opts.maxBytes) {
    if (c.socket.destroyed || (await c.closedWithin(0))) return { closed: true, stalled: false, framesSent, bytesSent };
    if (answered >= framesSent - perBatch) {
      c.writeRaw(Buffer.concat(Array.from({ length: perBatch }, () => frame)));
      framesSent += perBatch;
      bytesSent += perBatch * frame.length;
    }
    await new Promise((r) => setTimeout(r, 5));
    const stats = await opts.stats();
    if (opts.done?.(stats)) return { closed: await c.closedWithin(0), stalled: false, framesSent, bytesSent };
    const nowAnswered = stats.framesOut - start.framesOut - otherFrames();
    if (nowAnswered !== answered) {
      answered = nowAnswered;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > opts.stallMs) {
      return { closed: await c.closedWithin(0), stalled: true, framesSent, bytesSent };
    }
  }
  return { closed: await c.closedWithin(0), stalled: false, framesSent, bytesSent };
}
