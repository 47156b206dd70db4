// Reads what `pnpm tune` judges: descriptor limits, the connection-shaping sysctls and memory.
import { cpus } from 'node:os';
import { hasCapSysResource, readMemory, readRlimitNofile, readSysctlValue } from '../sys/proc.ts';

/** The sysctls tune reads (and may raise). */
export const TUNE_SYSCTLS = [
  'fs.file-max',
  'fs.nr_open',
  'net.ipv4.ip_local_port_range',
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_tw_reuse',
  'net.netfilter.nf_conntrack_max',
  'net.netfilter.nf_conntrack_count',
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
] as const;

/** A snapshot of the machine, as tune's pure assessment takes it. */
export interface MachineSnapshot {
  rlimitNofile: { soft: number; hard: number };
  canRaiseHardLimit: boolean;
  /** Values as the kernel prints them (whitespace collapsed); absent when not present (module not loaded). */
  sysctls: Partial<Record<(typeof TUNE_SYSCTLS)[number], string>>;
  memTotalBytes: number;
  memAvailableBytes: number;
  cores: number;
}

export function readMachine(): MachineSnapshot {
  const sysctls: MachineSnapshot['sysctls'] = {};
  for (const name of TUNE_SYSCTLS) {
    const v = readSysctlValue(name);
    if (v !== undefined) sysctls[name] = v;
  }
  const mem = readMemory();
  return {
    rlimitNofile: readRlimitNofile(),
    canRaiseHardLimit: hasCapSysResource(),
    sysctls,
    memTotalBytes: mem.totalBytes,
    memAvailableBytes: mem.availableBytes,
    cores: cpus().length,
  };
}
