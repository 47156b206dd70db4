// /proc/sys: the sysctls that bound ports, backlogs, descriptors and TCP memory.
import { readProcText } from './read-text.ts';

/** Path of a dotted sysctl name under `root` (/proc/sys; tests pass a scratch directory). */
export function sysctlPath(name: string, root = '/proc/sys'): string {
  return `${root}/${name.replaceAll('.', '/')}`;
}

/** A sysctl's text as the kernel prints it, whitespace runs collapsed to one space ("32768 60999"). */
export function parseSysctl(text: string): string {
  return text.trim().split(/\s+/).join(' ');
}

/** One sysctl; undefined when the kernel does not have it. */
export function readSysctl(name: string, root?: string): string | undefined {
  const text = readProcText(sysctlPath(name, root));
  return text === undefined ? undefined : parseSysctl(text);
}
