// /proc/meminfo: the machine's memory, and what a run may still take before the OOM killer.
import { readProcText } from './read-text.ts';

/** The /proc/meminfo fields c1m uses, in bytes. */
export interface Meminfo {
  totalBytes: number;
  /** The kernel's estimate of memory available without swapping (MemAvailable). */
  availableBytes: number;
  /** Kernel slab: socket structures, dentries of socket inodes, epoll items. */
  slabBytes: number;
}

/** Parses a /proc/meminfo text; a missing field reads as 0. */
export function parseMeminfo(text: string): Meminfo {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { totalBytes: kb('MemTotal'), availableBytes: kb('MemAvailable'), slabBytes: kb('Slab') };
}

/** The machine's memory now; undefined when /proc is not there. */
export function readMeminfo(): Meminfo | undefined {
  const text = readProcText('/proc/meminfo');
  return text === undefined ? undefined : parseMeminfo(text);
}
