// /proc/<pid>/status: the capability that decides whether tune may raise hard limits itself.
import { readProcText } from './read-text.ts';

const CAP_SYS_RESOURCE = 24;

/** True when the status text's effective capability set holds CAP_SYS_RESOURCE. */
export function parseCapSysResource(text: string): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(text);
  return m ? ((BigInt(`0x${m[1]}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 1n : false;
}

/** True when this process may raise its hard limits (CAP_SYS_RESOURCE in the effective set). */
export function readCapSysResource(): boolean {
  return parseCapSysResource(readProcText('/proc/self/status') ?? '');
}
