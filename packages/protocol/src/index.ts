// Public surface of @c1m/protocol.
export * from './errors.ts';
export * from './big-endian.ts';
export * from './frame-codec.ts';
export * from './body.ts';
export * from './workloads.ts';
export * from './http-workloads.ts';
export * from './http-response-parser.ts';
export * from './ws-client-opcodes.ts';
export * from './ws-client-handshake.ts';
export * from './ws-client-encoder.ts';
export * from './ws-client-decoder.ts';
