// Public surface of @c1m/results.
export * from './proc-tree.ts';
export * from './histogram.ts';
export * from './latency-recorder.ts';
export * from './env.ts';
