// Public surface of @c1m/server-contract: the server contract, written once.
export * from './options.ts';
export * from './spec.ts';
export * from './server-flags.ts';
export * from './stats.ts';
export * from './stats-reporter.ts';
export * from './stats-http.ts';
export * from './event-loop-delay.ts';
export * from './fd-budget.ts';
export * from './connection-gate.ts';
export * from './io-data.ts';
export * from './workload-handler.ts';
export * from './tcp-session.ts';
export * from './tcp-listener.ts';
export * from './uws-ws.ts';
export * from './single-process.ts';
export * from './loop-server.ts';
export * from './run-server.ts';
