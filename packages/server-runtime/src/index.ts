// Public surface of @c1m/server-runtime: the code servers are built from — the process main
// (runServer), connection budget, counters and /stats, the workload handler, the transports
// (node:net sessions, uWS app, the ws library), the one-loop and per-connection servers and the
// offload pool. Each server package composes these into its architecture.
export * from './run-server.ts';
export * from './heap-settings.ts';
export * from './entry-url.ts';
export * from './fd-budget.ts';
export * from './connection-gate.ts';
export * from './stats-counters.ts';
export * from './stats-reporter.ts';
export * from './stats-http.ts';
export * from './event-loop-delay.ts';
export * from './io-data.ts';
export * from './workload-handler.ts';
export * from './tcp-session.ts';
export * from './tcp-listener.ts';
export * from './uws-ws.ts';
export * from './uws-http.ts';
export * from './uws-app.ts';
export * from './node-http.ts';
export * from './http-workload-handler.ts';
export * from './single-process.ts';
export * from './loop-server.ts';
export * from './per-connection/per-connection-server.ts';
export * from './offload/offload-pool.ts';
