// Which workloads go with which transport: echo, cpu and io answer bodies on tcp and ws; static,
// aes and sleep answer GET requests on http (protocol README 3.7). Kept apart from the flag table
// so the table stays one list of flags.
import { UsageError } from '@c1m/cli';
import { HTTP_WORKLOADS, type Workload } from '@c1m/protocol';
import type { ServerOptions, ServerSpec } from './options.ts';

/** The --workload choices of a server: its own, plus the http workloads where it serves http. */
export function workloadChoices(spec: ServerSpec, bodyWorkloads: readonly Workload[]): readonly string[] {
  const own = spec.workloads ?? bodyWorkloads;
  return spec.transports.includes('http') ? [...own, ...HTTP_WORKLOADS] : own;
}

/** True for the workloads that answer GET requests (http only). */
export function isHttpWorkload(workload: string): boolean {
  return (HTTP_WORKLOADS as readonly string[]).includes(workload);
}

/**
 * Checks the transport/workload pairing; `--transport http` without --workload means static.
 * Throws UsageError (exit 2) naming the valid workloads of the transport.
 */
export function checkHttpPairing(spec: ServerSpec, options: ServerOptions, argv: readonly string[]): ServerOptions {
  const http = options.transport === 'http';
  const gaveWorkload = argv.some((a) => a === '--workload' || a.startsWith('--workload='));
  if (http && !gaveWorkload) return { ...options, workload: 'static' };
  if (http !== isHttpWorkload(options.workload)) {
    const valid = http ? HTTP_WORKLOADS.join(', ') : (spec.workloads ?? ['echo', 'cpu', 'io']).join(', ');
    throw new UsageError(
      `--workload ${options.workload} does not go with --transport ${options.transport}; choose one of: ${valid}`,
    );
  }
  return options;
}
