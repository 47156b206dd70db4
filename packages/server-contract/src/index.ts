// Public surface of @c1m/server-contract: what every server promises, written once — its options
// and spec, the flag table, the ready and closed lines. The code that keeps these promises is
// @c1m/server-runtime; the suite that checks them is ./conformance.
export * from './options.ts';
export * from './spec.ts';
export * from './server-flags.ts';
export * from './lines.ts';
export * from './http-flags.ts';
export * from './tls-material.ts';
