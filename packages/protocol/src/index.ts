// Public surface of @c1m/protocol.
export * from './errors.ts';
export * from './frame-codec.ts';
export * from './body.ts';
export * from './workloads.ts';
