// Heap bytes per decoder instance, measured by holding many of them: the client keeps one
// ServerFrameDecoder per socket and servers one FrameDecoder per connection, so this figure times
// a million is what the codec costs at c1m scale (socket and kernel memory come on top).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A forced full GC, without requiring node to be started with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Average heap bytes retained per object made by `make`, over `count` live objects. */
export function heapBytesPerInstance(make: () => unknown, count = 100_000): number {
  const held: unknown[] = new Array(count);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) held[i] = make();
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  if (held.length !== count) throw new Error('unreachable');
  return Math.round((after - before) / count);
}
