// The conformance suite and its tools, for server packages' tests.
export * from './suite.ts';
export * from './server-process.ts';
export * from './test-client.ts';
export * from './requests.ts';
export * from './slow-reader.ts';
export * from './fresh-build.ts';
export * from './http-suite.ts';
export * from './http-test-client.ts';
export * from './tls-suite.ts';
export * from './fault-figures.ts';
