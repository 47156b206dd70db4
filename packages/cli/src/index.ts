// Public surface of @c1m/cli.
export * from './flag-table.ts';
export * from './run-cli.ts';
export * from './units.ts';
