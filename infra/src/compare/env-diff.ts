// Which environment differences make two runs incomparable: CPU model, core count, Node major.
import type { EnvInfo } from '@c1m/schema';

/** Human descriptions of the differences that matter; empty when the runs are comparable. */
export function envDifferences(a: EnvInfo | undefined, b: EnvInfo | undefined): string[] {
  if (!a || !b) return [`env.json missing in ${!a ? 'A' : 'B'}: cannot tell whether the machines match`];
  const out: string[] = [];
  if (a.cpuModel !== b.cpuModel) out.push(`CPU model: ${a.cpuModel} vs ${b.cpuModel}`);
  if (a.cores !== b.cores) out.push(`cores: ${a.cores} vs ${b.cores}`);
  const major = (v: string) => /^v?(\d+)/.exec(v)?.[1] ?? v;
  if (major(a.node) !== major(b.node)) out.push(`Node major: ${a.node} vs ${b.node}`);
  return out;
}
