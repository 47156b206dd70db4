// Writes to a node:net socket straight to its libuv handle, as node's own Writable does at its
// end, without the Writable's per-write bookkeeping (state, callbacks, a request object per write).
// writeCopied writes the bytes as a latin1 string: node's C++ layer writes what the kernel takes at
// once and copies only a remainder it must queue, so the caller may reuse its buffer as soon as the
// call returns (a shared read buffer). Latin1 maps every byte to one char and back. writeLent hands
// the buffer itself, with no string made, and says whether the queue kept it (a reused frame is then
// replaced by its owner).
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { type StreamBinding, type StreamHandle, streamBinding, type WriteRequest } from './stream-binding.ts';

interface SocketInternals {
  _handle: (StreamHandle & { constructor: { name: string } }) | null;
}

/** Buffer's own latin1 slicer (present on every Buffer; not in @types/node). */
interface Latin1Slicing {
  latin1Slice(start: number, end: number): string;
}

interface QueuedWrite extends WriteRequest {
  socket: Socket;
  /** The bytes a queued writeLent reads from, kept alive while it waits. */
  buffer?: Buffer;
}

/** A request for a write that finished at once; node keeps no reference to such a request. */
let spare: QueuedWrite | null = null;

function onQueuedWriteDone(this: QueuedWrite, status: number): void {
  const { socket } = this;
  this.buffer = undefined;
  if (status < 0) {
    socket.destroy(errnoError(status));
    return;
  }
  if (queuedBytes(socket) === 0) socket.emit('drain');
}

function errnoError(status: number): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  return Object.assign(new Error(`write ${code}`), { errno: status, code, syscall: 'write' });
}

function handleOf(socket: Socket): (StreamHandle & { constructor: { name: string } }) | null {
  return (socket as unknown as SocketInternals)._handle;
}

/**
 * The constructor of node's TCP handles, once one was seen: comparing it is cheaper than reading
 * a constructor's name (an API getter call on every write).
 */
let tcpHandleClass: unknown = null;

function isTcpHandle(handle: { constructor: { name: string } }): boolean {
  const cls = handle.constructor;
  if (cls === tcpHandleClass) return true;
  if (tcpHandleClass !== null || cls.name !== 'TCP') return false;
  tcpHandleClass = cls;
  return true;
}

/**
 * Whether writeCopied goes straight to the handle for this socket: a connected plain TCP socket
 * with nothing waiting in its Writable (a direct write must not overtake bytes queued there).
 */
export function writesDirectly(socket: Socket): boolean {
  const handle = handleOf(socket);
  return (
    streamBinding !== undefined &&
    handle !== null &&
    isTcpHandle(handle) &&
    !socket.connecting &&
    socket.writableLength === 0
  );
}

/** A request for a direct write to `handle` of `socket` (the spare one when there is one). */
function requestFor(socket: Socket, handle: StreamHandle): QueuedWrite {
  const req = spare ?? ((streamBinding as StreamBinding).newWriteRequest() as QueuedWrite);
  spare = null;
  req.handle = handle;
  req.oncomplete = onQueuedWriteDone as WriteRequest['oncomplete'];
  req.async = false;
  req.socket = socket;
  return req;
}

/** What a direct write came to: FAILED (the socket is destroyed), SENT (all taken at once) or HELD (queued). */
function settle(socket: Socket, req: QueuedWrite, status: number): WriteOutcome {
  if (status !== 0) {
    socket.destroy(errnoError(status));
    return FAILED;
  }
  if ((streamBinding as StreamBinding).lastWriteWasAsync()) {
    req.async = true;
    return HELD;
  }
  spare = req;
  return SENT;
}

/** writeLent's outcomes. */
export const FAILED = -1;
export const SENT = 0;
export const HELD = 1;
export type WriteOutcome = typeof FAILED | typeof SENT | typeof HELD;

/**
 * Writes `bytes[start, end)` to `socket`. The caller may reuse `bytes` once this returns. Returns
 * false when the socket can no longer be written (destroyed, ended, or the write failed, which
 * destroys it). When the handle's queue empties after a write that had to wait, the socket emits
 * 'drain', as it does for its own writes; queuedBytes() is the backpressure figure.
 */
export function writeCopied(socket: Socket, bytes: Buffer, start = 0, end = bytes.length): boolean {
  // `writable` is false once destroyed, ending or ended.
  if (!socket.writable) return false;
  if (!writesDirectly(socket)) {
    socket.write(Buffer.from(bytes.subarray(start, end)));
    return true;
  }
  const handle = handleOf(socket) as StreamHandle;
  const req = requestFor(socket, handle);
  // latin1Slice is what toString('latin1') calls after looking the encoding up, once per write.
  const status = handle.writeLatin1String(req, (bytes as unknown as Latin1Slicing).latin1Slice(start, end));
  return settle(socket, req, status) !== FAILED;
}

/**
 * Writes all of `bytes` to `socket` without copying them: cheaper than writeCopied by the string it
 * makes. SENT: the kernel took every byte, and `bytes` is the caller's again. HELD: the rest waits
 * in a queue that reads it from `bytes` later, so the caller must never change `bytes` again (the
 * queue keeps it alive; drain and backpressure as for writeCopied). FAILED: as writeCopied's false.
 */
export function writeLent(socket: Socket, bytes: Buffer): WriteOutcome {
  if (!socket.writable) return FAILED;
  if (!writesDirectly(socket)) {
    socket.write(bytes);
    return HELD;
  }
  const handle = handleOf(socket) as StreamHandle;
  const req = requestFor(socket, handle);
  const status = handle.writeBuffer(req, bytes);
  const outcome = settle(socket, req, status);
  // node's C++ queue points into `bytes`: this reference keeps the memory alive until the write completes.
  if (outcome === HELD) req.buffer = bytes;
  return outcome;
}

/** Bytes handed to `socket` and not yet taken by the kernel: its Writable's and its handle's queue. */
export function queuedBytes(socket: Socket): number {
  return socket.writableLength + (handleOf(socket)?.writeQueueSize ?? 0);
}
