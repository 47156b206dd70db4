// Samples a process and all of its descendants from /proc: resident memory and CPU time of the
// whole tree. Servers report it in /stats; infra samples servers and the driver with it.
import { readAllPidStats, type PidStat } from '@c1m/proc';

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** One sample of a process tree. */
export interface ProcessTreeSample {
  pids: number[];
  rssBytes: number;
  /** User + system CPU of the live processes, plus what their reaped children used. */
  cpuSeconds: number;
  /** The system (kernel) part of cpuSeconds. */
  systemCpuSeconds: number;
}

/** One process as /proc/<pid>/stat shows it (@c1m/proc's reading). */
export type ProcStat = PidStat;

/** `rootPid` and its descendants among `stats`, the root first (empty when it is gone). */
export function processTree(stats: readonly ProcStat[], rootPid: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const root = stats.find((s) => s.pid === rootPid);
  const tree: ProcStat[] = [];
  const queue = root ? [root] : [];
  while (queue.length > 0) {
    const s = queue.pop() as ProcStat;
    tree.push(s);
    for (const c of children.get(s.pid) ?? []) queue.push(c);
  }
  return tree;
}

/** Samples `rootPid` and all its descendants. Returns zeros when the process is gone. */
export function sampleProcessTree(rootPid: number): ProcessTreeSample {
  const tree = processTree(readAllPidStats(), rootPid);
  let ticks = 0;
  let systemTicks = 0;
  let pages = 0;
  for (const s of tree) {
    ticks += s.cpuTicks;
    systemTicks += s.systemTicks;
    pages += s.rssPages;
  }
  return {
    pids: tree.map((s) => s.pid),
    rssBytes: pages * PAGE_BYTES,
    cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    systemCpuSeconds: systemTicks / CLOCK_TICKS_PER_SECOND,
  };
}
