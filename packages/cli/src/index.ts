// Public surface of @c1m/cli.
export * from './flag-table.ts';
export * from './units.ts';
