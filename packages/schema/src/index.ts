// Public surface of @c1m/schema: every shape that crosses a process boundary, with its validator.
export * from './shape.ts';
export * from './ready-line.ts';
export * from './closed-line.ts';
export * from './baseline-stats-line.ts';
export * from './server-stats.ts';
export * from './server-manifest.ts';
export * from './env-info.ts';
export * from './driver-result.ts';
export * from './shard-result.ts';
