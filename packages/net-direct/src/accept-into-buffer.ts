// Accepted connections of a node:net server that read into one shared buffer (net's `onread`)
// instead of a fresh Buffer per read pushed through a Readable and a 'data' event. node:net offers
// `onread` to sockets it connects but not to sockets a server accepts, so the server's accept
// callback (its listening handle's `onconnection`) is replaced by one that builds each socket with
// it, keeping the server's connection count as node's own does (server.close() still waits for them).
import { type Server, Socket } from 'node:net';

/**
 * Called with the socket as `this` for every read, `bytes` valid only until it returns (the next read
 * overwrites it). Returning false stops reading until socket.resume().
 */
export type ReadInto = (this: Socket, length: number, bytes: Buffer) => boolean | undefined;

interface ServerInternals {
  _handle: { onconnection: (this: unknown, err: number, clientHandle: unknown) => void } | null;
  _connections: number;
  allowHalfOpen: boolean;
  maxConnections: number;
}

/**
 * From the next listen on, `server`'s accepted sockets read into `buffer` through `onRead`. Call before
 * listen(): the hook is set again on every 'listening', since each listen makes a new handle.
 * TLS servers are not supported (their sockets decrypt through a stream of their own).
 */
export function acceptIntoBuffer(server: Server, buffer: Buffer, onRead: ReadInto, noDelay: boolean): void {
  const internals = server as unknown as ServerInternals;
  server.on('listening', () => {
    const handle = internals._handle;
    if (!handle) return;
    const accept = handle.onconnection;
    handle.onconnection = function (this: unknown, err: number, clientHandle: unknown) {
      // Errors and the maxConnections refusal stay node's.
      if (err || internals.maxConnections) {
        accept.call(this, err, clientHandle);
        return;
      }
      const socket = new Socket({
        handle: clientHandle,
        allowHalfOpen: internals.allowHalfOpen,
        readable: true,
        writable: true,
        onread: { buffer, callback: onRead },
      } as ConstructorParameters<typeof Socket>[0]);
      if (noDelay) socket.setNoDelay(true);
      internals._connections++;
      Object.assign(socket, { server, _server: server });
      server.emit('connection', socket);
    };
  });
}
