// Samples a process and all of its descendants from /proc: resident memory and CPU time of the
// whole tree. Servers report it in /stats; infra samples servers and the driver with it.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** One sample of a process tree. */
export interface ProcessTreeSample {
  pids: number[];
  rssBytes: number;
  /** User + system CPU of the live processes, plus what their reaped children used. */
  cpuSeconds: number;
}

/** One process as /proc/<pid>/stat shows it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** The command name (comm). */
  name: string;
  /** A kernel thread (PF_KTHREAD): it works for everyone (softirq, reclaim), no process's own. */
  kernel: boolean;
  /** User + system CPU of the process itself. */
  ownCpuTicks: number;
  /** Its own CPU plus what its reaped children used. */
  cpuTicks: number;
  rssPages: number;
}

const PF_KTHREAD = 0x00200000;

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return {
      pid,
      ppid: num(4),
      name: text.slice(text.indexOf('(') + 1, close),
      kernel: (num(9) & PF_KTHREAD) !== 0,
      ownCpuTicks: num(14) + num(15),
      cpuTicks: num(14) + num(15) + num(16) + num(17),
      rssPages: num(24),
    };
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Every live process on the machine. */
export function readAllProcStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) out.push(stat);
  }
  return out;
}

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
  const tree = processTree(readAllProcStats(), rootPid);
  let ticks = 0;
  let pages = 0;
  for (const s of tree) {
    ticks += s.cpuTicks;
    pages += s.rssPages;
  }
  return { pids: tree.map((s) => s.pid), rssBytes: pages * PAGE_BYTES, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
}
