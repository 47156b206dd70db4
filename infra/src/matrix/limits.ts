// What this machine allows a run: descriptors per process, memory, ephemeral ports. The plan
// scales the connection counts to these and says what it capped and why.
import { cpus } from 'node:os';
import { readMemory, readRlimitNofile, readSysctlValue } from '../sys/proc.ts';
import { RESERVED_DESCRIPTORS } from '../tune/assess.ts';

/** Detected limits. */
export interface Limits {
  fdSoft: number;
  fdHard: number;
  /** Connections one process can hold: the hard descriptor limit less a reserve. */
  perProcessConnections: number;
  memAvailableBytes: number;
  portRangeSize: number;
  cores: number;
}

/** Bytes a connection costs in all (kernel both ends + user space both sides), for the memory cap. */
export const BUDGET_BYTES_PER_CONNECTION = 20_000;

export function detectLimits(): Limits {
  const { soft, hard } = readRlimitNofile();
  const [lo = 32768, hi = 60999] = (readSysctlValue('net.ipv4.ip_local_port_range') ?? '').split(' ').map(Number);
  return {
    fdSoft: soft,
    fdHard: hard,
    perProcessConnections: Math.max(100, Math.min(soft, hard) - RESERVED_DESCRIPTORS),
    memAvailableBytes: readMemory().availableBytes,
    portRangeSize: hi - lo + 1,
    cores: cpus().length,
  };
}

/** Most connections that fit in half of the available memory. */
export function memoryCap(l: Limits): number {
  return Math.floor((l.memAvailableBytes * 0.5) / BUDGET_BYTES_PER_CONNECTION);
}

/** The limits a run's env.json records (bench:all and bench:c1m alike). */
export function limitsRecord(l: Limits): Record<string, number> {
  return {
    fdSoft: l.fdSoft,
    fdHard: l.fdHard,
    perProcessConnections: l.perProcessConnections,
    memAvailableBytes: l.memAvailableBytes,
    portRangeSize: l.portRangeSize,
  };
}
