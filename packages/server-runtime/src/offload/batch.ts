// The messages between the reactor and its workers: start data, the close request, and batches of
// jobs (or results) packed into one ArrayBuffer that is transferred, not cloned, so a loop turn's
// worth of frames costs one postMessage each way. Entry layout: u32 id, u32 tag, u32 length, bytes.
import { ERROR_CODES, type C1mErrorCode } from '@c1m/protocol';
import type { ServerOptions } from '@c1m/server-contract';

/** What the reactor hands each worker at start. */
export interface PoolWorkerData {
  options: ServerOptions;
}

/** The reactor's request to finish: release the handler's resources, then exit. */
export const CLOSE_MESSAGE = 'close';
/** A worker's first message: its handler is ready (the io data file exists). */
export const READY_MESSAGE = 'ready';

const ENTRY_HEADER_BYTES = 12;

/** Tag of a request or of a successful result. */
export const TAG_OK = 0;
/** Tag of a result whose handler failed without a protocol error code. */
export const TAG_INTERNAL_ERROR = 0xffffffff;

/** The tag that carries a protocol error code across threads. */
export function errorTag(code: C1mErrorCode): number {
  return 1 + ERROR_CODES.indexOf(code);
}

/** The protocol error code of a failed result's tag, or undefined for an internal error. */
export function errorCodeOfTag(tag: number): C1mErrorCode | undefined {
  return tag === TAG_INTERNAL_ERROR ? undefined : ERROR_CODES[tag - 1];
}

/** Collects entries, then lays them out in one exactly-sized buffer. */
export class BatchWriter {
  private ids: number[] = [];
  private tags: number[] = [];
  private bodies: Uint8Array[] = [];
  private bytes = 0;

  get size(): number {
    return this.ids.length;
  }

  add(id: number, tag: number, body: Uint8Array): void {
    this.ids.push(id);
    this.tags.push(tag);
    this.bodies.push(body);
    this.bytes += ENTRY_HEADER_BYTES + body.byteLength;
  }

  /** The packed batch (to transfer); the writer is empty again afterwards. */
  take(): ArrayBuffer {
    const buffer = new ArrayBuffer(this.bytes);
    const view = new DataView(buffer);
    const bytes = new Uint8Array(buffer);
    let at = 0;
    for (let i = 0; i < this.ids.length; i++) {
      const body = this.bodies[i]!;
      view.setUint32(at, this.ids[i]!);
      view.setUint32(at + 4, this.tags[i]!);
      view.setUint32(at + 8, body.byteLength);
      bytes.set(body, at + ENTRY_HEADER_BYTES);
      at += ENTRY_HEADER_BYTES + body.byteLength;
    }
    this.ids = [];
    this.tags = [];
    this.bodies = [];
    this.bytes = 0;
    return buffer;
  }
}

/** Calls `onEntry` for every entry; bodies are views into `buffer` (no copy). */
export function readBatch(buffer: ArrayBuffer, onEntry: (id: number, tag: number, body: Buffer) => void): void {
  const view = new DataView(buffer);
  let at = 0;
  while (at < buffer.byteLength) {
    const length = view.getUint32(at + 8);
    onEntry(view.getUint32(at), view.getUint32(at + 4), Buffer.from(buffer, at + ENTRY_HEADER_BYTES, length));
    at += ENTRY_HEADER_BYTES + length;
  }
}
