// The driver's rules for http targets (protocol README 1.3): which workloads and scenarios go
// with them, and what keep-alive off allows. Kept beside the flag table, not in it.
import { UsageError } from '@c1m/cli';
import { HTTP_WORKLOADS, type HttpWorkload, type Workload } from '@c1m/protocol';
import type { Target } from './values.ts';

/** The raw flags these rules read. */
interface HttpRaw {
  workload: Workload | HttpWorkload;
  keepAlive: 'on' | 'off';
  pipeline: number;
}

const HTTP_SCENARIOS = ['echo', 'max-rate'];

/**
 * Checks the http rules and returns the workload to run: http targets default to static (the
 * table's default, echo, is a tcp/ws workload). Throws UsageError (exit 2) naming the valid choices.
 */
export function checkHttpOptions(
  scenario: string,
  targets: readonly Target[],
  raw: HttpRaw,
  argv: readonly string[],
): Workload | HttpWorkload {
  const http = targets[0]!.transport === 'http';
  const given = (flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const httpWorkload = (HTTP_WORKLOADS as readonly string[]).includes(raw.workload);
  if (!http) {
    if (httpWorkload)
      throw new UsageError(`--workload ${raw.workload} is for http:// targets; for tcp and ws choose echo, cpu or io`);
    if (given('keep-alive')) throw new UsageError('--keep-alive is for http:// targets');
    return raw.workload;
  }
  if (!HTTP_SCENARIOS.includes(scenario))
    throw new UsageError(`http:// targets run the scenarios ${HTTP_SCENARIOS.join(', ')}, not ${scenario}`);
  if (raw.keepAlive === 'off' && raw.pipeline > 1)
    throw new UsageError('--keep-alive off sends one request per connection: --pipeline must be 1');
  if (httpWorkload) return raw.workload;
  if (given('workload'))
    throw new UsageError(
      `--workload ${raw.workload} does not go with http:// targets; choose one of: ${HTTP_WORKLOADS.join(', ')}`,
    );
  return 'static';
}
