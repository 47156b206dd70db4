// The part of node's internal stream binding that node:net itself writes through. A write to a
// socket's libuv handle needs a request object (WriteWrap) and reports, through shared state,
// whether it finished at once. Node 20 exposes the binding only through the deprecated
// process.binding; where it is missing, writers fall back to socket.write (see direct-writer.ts).

/** A request object node's C++ stream layer fills in for one write. */
export interface WriteRequest {
  handle: unknown;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
}

/** The methods of a libuv stream handle (node's TCPWrap) that writers use. */
export interface StreamHandle {
  writeLatin1String(req: WriteRequest, data: string): number;
  /** Writes what the kernel takes at once; a rest is queued pointing into `data` (not copied). */
  writeBuffer(req: WriteRequest, data: Uint8Array): number;
  readonly writeQueueSize: number;
}

/** What a direct write needs from node's stream binding. */
export interface StreamBinding {
  newWriteRequest(): WriteRequest;
  /** True when the last write on any handle could not finish at once and was queued. */
  lastWriteWasAsync(): boolean;
}

interface RawBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function load(): StreamBinding | undefined {
  try {
    const raw = (process as unknown as { binding(name: string): RawBinding }).binding('stream_wrap');
    const { WriteWrap, streamBaseState, kLastWriteWasAsync } = raw;
    if (typeof WriteWrap !== 'function' || !streamBaseState || typeof kLastWriteWasAsync !== 'number') return;
    return {
      newWriteRequest: () => new WriteWrap(),
      lastWriteWasAsync: () => streamBaseState[kLastWriteWasAsync] !== 0,
    };
  } catch {
    return undefined;
  }
}

/** The binding, or undefined when this node does not offer it (writers then use socket.write). */
export const streamBinding: StreamBinding | undefined = load();
