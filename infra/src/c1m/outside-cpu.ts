// CPU that processes outside the run took from the machine while it held its connections: the
// run's figures are only honest if a neighbour's share is stated beside them. On this machine a
// host agent (pid 1) spent 0.4 of the 2 cores in the kernel while 2,000,000 socket descriptors
// were open, apparently walking every process's descriptors; its cost follows the descriptor
// count, so no placement of the run avoids it.
import { readAllPidStats } from '@c1m/proc';
import { processTree } from '@c1m/results';

/** CPU ticks (user + system) so far of every process outside the run, keyed "name (pid)". */
export type OutsideTicks = Record<string, number>;

/**
 * Ticks of every user-space process that is neither `rootPid` nor one of its descendants. (Its
 * ancestors count as outside: the shells and package runners that started the run idle, and
 * pid 1 is everyone's ancestor.)
 */
export function readOutsideTicks(rootPid = process.pid): OutsideTicks {
  const stats = readAllPidStats();
  const ours = new Set(processTree(stats, rootPid).map((s) => s.pid));
  const out: OutsideTicks = {};
  for (const p of stats) if (!p.kernel && !ours.has(p.pid)) out[`${p.name} (${p.pid})`] = p.ownCpuTicks;
  return out;
}

/** Cores used by outside processes between two readings `seconds` apart: the total and the busiest. */
export function outsideCores(
  a: OutsideTicks,
  b: OutsideTicks,
  seconds: number,
  ticksPerSecond = 100,
): { cores: number; top: Array<{ name: string; cores: number }> } {
  if (seconds <= 0) return { cores: 0, top: [] };
  const round = (cores: number) => Math.round(cores * 100) / 100;
  // A process missing from the first reading started within the window: all its time is in it.
  const used = Object.entries(b)
    .map(([name, ticks]) => ({ name, cores: (ticks - (a[name] ?? 0)) / ticksPerSecond / seconds }))
    .filter((x) => x.cores > 0)
    .sort((x, y) => y.cores - x.cores);
  return {
    cores: round(used.reduce((s, x) => s + x.cores, 0)),
    top: used.slice(0, 3).map((x) => ({ name: x.name, cores: round(x.cores) })),
  };
}
