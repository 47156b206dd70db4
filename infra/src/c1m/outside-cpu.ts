// CPU that processes outside the run took from the machine while it held its connections: the
// run's figures are only honest if a neighbour's share is stated beside them. On this machine a
// host agent (pid 1) spent 0.4 of the 2 cores in the kernel while 2,000,000 socket descriptors
// were open, apparently walking every process's descriptors; its cost follows the descriptor
// count, so no placement of the run avoids it.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks (user + system) so far of every process outside the run, keyed "name (pid)". */
export type OutsideTicks = Record<string, number>;

/** PF_KTHREAD in /proc/<pid>/stat's flags: kernel threads work for everyone (softirq, reclaim). */
const PF_KTHREAD = 0x00200000;

interface ProcEntry {
  pid: number;
  ppid: number;
  name: string;
  kernel: boolean;
  ticks: number;
}

function readProc(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime.
    const f = stat.slice(close + 2).split(' ');
    return { pid, ppid: Number(f[1]), name, kernel: (Number(f[6]) & PF_KTHREAD) !== 0, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * Ticks of every user-space process that is neither `rootPid` nor one of its descendants. (Its
 * ancestors count as outside: the shells and package runners that started the run idle, and
 * pid 1 is everyone's ancestor.)
 */
export function readOutsideTicks(rootPid = process.pid): OutsideTicks {
  const procs = new Map<number, ProcEntry>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) procs.set(p.pid, p);
  }
  const ours = (p: ProcEntry) => {
    for (let q: ProcEntry | undefined = p; q; q = procs.get(q.ppid)) if (q.pid === rootPid) return true;
    return false;
  };
  const out: OutsideTicks = {};
  for (const p of procs.values()) {
    if (p.kernel || ours(p)) continue;
    out[`${p.name} (${p.pid})`] = p.ticks;
  }
  return out;
}

/** Cores used by outside processes between two readings `seconds` apart: the total and the busiest. */
export function outsideCores(a: OutsideTicks, b: OutsideTicks, seconds: number, ticksPerSecond = 100): { cores: number; top: Array<{ name: string; cores: number }> } {
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
