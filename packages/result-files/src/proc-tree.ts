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

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  rssPages: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(fields[i - 3]);
    return {
      pid,
      ppid: num(4),
      cpuTicks: num(14) + num(15) + num(16) + num(17),
      rssPages: num(24),
    };
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Every live process id on the machine with its parent. */
function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) out.push(stat);
  }
  return out;
}

/** Samples `rootPid` and all its descendants. Returns zeros when the process is gone. */
export function sampleProcessTree(rootPid: number): ProcessTreeSample {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const root = stats.find((s) => s.pid === rootPid);
  const sample: ProcessTreeSample = { pids: [], rssBytes: 0, cpuSeconds: 0 };
  if (!root) return sample;
  const queue = [root];
  let ticks = 0;
  while (queue.length > 0) {
    const s = queue.pop() as ProcStat;
    sample.pids.push(s.pid);
    sample.rssBytes += s.rssPages * PAGE_BYTES;
    ticks += s.cpuTicks;
    for (const c of children.get(s.pid) ?? []) queue.push(c);
  }
  sample.cpuSeconds = ticks / CLOCK_TICKS_PER_SECOND;
  return sample;
}
