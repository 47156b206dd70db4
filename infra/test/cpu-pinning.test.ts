// Server and load generator on CPUs of their own: the split of the CPUs, and a real process
// started pinned, as the kernel reports its affinity.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pinned, pinningUnavailable, splitCpus } from '../src/run/cpu-pinning.ts';

const affinityOf = (command: string[]) => {
  const run = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  return run.stdout.trim();
};
const PRINT_AFFINITY = [
  process.execPath,
  '-e',
  "console.log(/Cpus_allowed_list:\\s*(\\S+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1])",
];

describe('CPU pinning', () => {
  it('gives the load generator the lower half of the CPUs and the server the upper half', () => {
    expect(splitCpus(1)).toBeUndefined();
    expect(splitCpus(2)).toEqual({ load: '0', server: '1' });
    expect(splitCpus(4)).toEqual({ load: '0-1', server: '2-3' });
    expect(splitCpus(5)).toEqual({ load: '0-1', server: '2-4' });
  });

  it('starts a process on the CPUs it is given, and leaves it alone without a list', () => {
    expect(pinningUnavailable()).toBe(availableParallelism() < 2 ? 'one CPU only' : undefined);
    const last = availableParallelism() - 1;
    expect(affinityOf(pinned(PRINT_AFFINITY, String(last)))).toBe(String(last));
    expect(affinityOf(pinned(PRINT_AFFINITY, '0'))).toBe('0');
    expect(affinityOf(pinned(PRINT_AFFINITY, undefined))).toBe(`0-${availableParallelism() - 1}`);
  });
});
