// Public surface of @c1m/driver for scripts that assemble or read its command lines.
export { SCENARIOS, helpText, parseOptions, type Options, type Scenario } from './options/options.ts';
export { parseTargets, parseSourceIps, parseSizeSpec, type Target, type SizeSpec } from './options/values.ts';
export { SHARD_ENV, parseSliceSpec, type SliceSpec } from './options/slice-spec.ts';
