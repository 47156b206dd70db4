// Public surface of @c1m/net-direct: node:net sockets on the hot path without the stream layer.
export * from './accept-into-buffer.ts';
export * from './direct-write.ts';
export { streamBinding } from './stream-binding.ts';
