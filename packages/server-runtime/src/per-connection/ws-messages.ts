// The messages of one WebSocket as an async iterable, so its coroutine can `for await` over them.
// Node's events.on() would do it, but allocates two 2048-slot queues per iterator (tens of KB per
// idle connection); this keeps a plain array that is empty while idle, and pauses the socket when
// the coroutine falls behind so the queue stays bounded.
import type { RawData, WebSocket } from 'ws';

/** Messages queued before the socket stops being read until the coroutine catches up. */
const MAX_QUEUED = 64;

/** Messages received and not yet answered: a drain closes a socket only when this is 0. */
export interface Owed {
  owed: number;
}

/**
 * Yields [body, isBinary] per message until the WebSocket closes; counts each into `owed`. A
 * message arriving while `accepting()` is false (a drain has stopped reading) is dropped unqueued;
 * those already queued are still yielded, so every message taken in is answered.
 */
export async function* messages(
  ws: WebSocket,
  state: Owed,
  accepting: () => boolean = () => true,
): AsyncGenerator<[Buffer, boolean]> {
  const queue: Array<[Buffer, boolean]> = [];
  let wake: (() => void) | null = null;
  let closed = false;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!accepting()) return;
    queue.push([data as Buffer, isBinary]);
    state.owed++;
    if (queue.length >= MAX_QUEUED) ws.pause();
    notify();
  });
  ws.once('close', () => {
    closed = true;
    notify();
  });
  for (;;) {
    const next = queue.shift();
    if (next) {
      if (queue.length === MAX_QUEUED - 1) ws.resume();
      yield next;
      continue;
    }
    if (closed) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}
