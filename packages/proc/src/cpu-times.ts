// /proc/stat: the machine's cumulative CPU time, split into what the run's figures need.
import { readProcText } from './read-text.ts';

/** Aggregate CPU time of the machine in clock ticks (first line of /proc/stat). */
export interface CpuTimes {
  totalTicks: number;
  idleTicks: number;
  stealTicks: number;
  /** user + nice: processes' own code. */
  userTicks: number;
  /** system + irq: the kernel working for processes and devices. */
  systemTicks: number;
  /** softirq: network receive processing (on loopback, every segment's other end), charged to no process. */
  softirqTicks: number;
}

/** Parses the aggregate "cpu" line of a /proc/stat text; missing fields read as 0. */
export function parseCpuTimes(text: string): CpuTimes {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return {
    totalTicks: user + nice + system + idle + iowait + irq + softirq + steal,
    idleTicks: idle + iowait,
    stealTicks: steal,
    userTicks: user + nice,
    systemTicks: system + irq,
    softirqTicks: softirq,
  };
}

/** The machine's CPU times now; undefined when /proc is not there. */
export function readCpuTimes(): CpuTimes | undefined {
  const text = readProcText('/proc/stat');
  return text === undefined ? undefined : parseCpuTimes(text);
}
