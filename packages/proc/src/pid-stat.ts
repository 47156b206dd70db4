// /proc/<pid>/stat: one process's parent, group, name, CPU time and resident pages; and every
// process on the machine, for process trees and for what ran beside a measurement.
import { readdirSync } from 'node:fs';
import { readProcText } from './read-text.ts';

/** One process as /proc/<pid>/stat shows it. */
export interface PidStat {
  pid: number;
  ppid: number;
  /** Process group (the group a tracked child was started in). */
  pgrp: number;
  /** The command name (comm). */
  name: string;
  /** Its state letter: R running, S sleeping, Z exited and not yet reaped (a zombie), … */
  state: string;
  /** A kernel thread (PF_KTHREAD): it works for everyone (softirq, reclaim), no process's own. */
  kernel: boolean;
  /** User + system CPU of the process itself, in clock ticks. */
  ownCpuTicks: number;
  /** Its own CPU plus what its reaped children used, in clock ticks. */
  cpuTicks: number;
  /** The system part of cpuTicks: time the kernel spent in its syscalls and faults (stime + cstime). */
  systemTicks: number;
  rssPages: number;
}

const PF_KTHREAD = 0x00200000;

/** Parses a /proc/<pid>/stat text; undefined when it is not one. */
export function parsePidStat(text: string): PidStat | undefined {
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  // fields[0] is field 3 of proc(5).
  const num = (i: number) => Number(fields[i - 3]);
  const stat: PidStat = {
    pid: Number(text.slice(0, open).trim()),
    ppid: num(4),
    pgrp: num(5),
    name: text.slice(open + 1, close),
    state: fields[0]!,
    kernel: (num(9) & PF_KTHREAD) !== 0,
    ownCpuTicks: num(14) + num(15),
    cpuTicks: num(14) + num(15) + num(16) + num(17),
    systemTicks: num(15) + num(17),
    rssPages: num(24),
  };
  return Object.values(stat).every((v) => typeof v !== 'number' || Number.isInteger(v)) ? stat : undefined;
}

/** One process now; undefined when it is gone (or /proc is not there). */
export function readPidStat(pid: number | 'self'): PidStat | undefined {
  const text = readProcText(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parsePidStat(text);
}

/** Every live process on the machine (those that exit while listed are left out). */
export function readAllPidStats(): PidStat[] {
  const out: PidStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readPidStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}
