// Public surface of @c1m/proc: one parseX(text) / readX() pair per /proc file. Every readX()
// returns undefined when its file cannot be read; every limit uses UNLIMITED for "unlimited".
export * from './cpu-times.ts';
export * from './limits.ts';
export * from './meminfo.ts';
export * from './pid-stat.ts';
export * from './read-text.ts';
export * from './sockstat.ts';
export * from './status.ts';
export * from './sysctl.ts';
