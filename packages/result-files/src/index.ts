// Public surface of @c1m/results.
export type * from './driver-result.ts';
export type * from './env-info.ts';
export type * from './shard-result.ts';
export * from './proc-tree.ts';
export * from './histogram.ts';
export * from './env.ts';
