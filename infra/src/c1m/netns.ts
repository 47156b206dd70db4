// bench:c1m runs its connections in a network namespace of its own. The kernel finds the socket
// of every incoming segment in the established hash, and the host's is sized at boot (262,144
// buckets on this 24 GiB machine): 2,000,000 sockets (both ends of a million) chain 8 deep, and
// the lookup took 9.5% of all CPU during the ping rounds. A namespace created while
// net.ipv4.tcp_child_ehash_entries is set gets a table of its own of that size (measured: 3.9%,
// the cache miss per lookup that remains).
// The parent sets the sysctl, starts this same command under `unshare --net`, and puts the sysctl
// back as soon as the namespace exists: later namespaces (containers) are not affected. The
// namespace, its loopback and its own sysctls disappear with the run.
import { execFileSync } from 'node:child_process';
import { readlinkSync, writeFileSync } from 'node:fs';
import { which } from 'zx';
import { ownNodeCommand, runInForeground } from '../lib/child-command.ts';
import { readSysctlValue, sysctlPath } from '../sys/proc.ts';
import type { TuneRow } from '../tune/assess.ts';

/** Set in the environment of the command running inside the namespace. */
export const NETNS_CHILD_ENV = 'C1M_NETNS_CHILD';
const CHILD_EHASH = 'net.ipv4.tcp_child_ehash_entries';
/** The kernel's upper bound for tcp_child_ehash_entries. */
const MAX_EHASH = 2 ** 24;

/** The sysctls that every network namespace has its own copy of (reset to defaults in a new one). */
const PER_NAMESPACE_SYSCTLS: ReadonlySet<string> = new Set([
  'net.ipv4.ip_local_port_range',
  'net.core.somaxconn',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_tw_reuse',
]);

/** True for a sysctl each network namespace has its own copy of. */
export function isPerNamespaceSysctl(name: string): boolean {
  return PER_NAMESPACE_SYSCTLS.has(name);
}

/** Where the run's connections live, as recorded in its results. */
export interface NetworkPlacement {
  namespace: 'own' | 'host';
  /** Buckets of the established hash the connections are looked up in. */
  ehashEntries: number;
  /** Why the host namespace was used (own namespace not possible or not asked for). */
  why?: string;
}

/** Buckets for `sockets` established sockets: the power of two at or above them, within the kernel's bounds. */
export function ehashEntriesFor(sockets: number): number {
  return Math.min(MAX_EHASH, 2 ** Math.ceil(Math.log2(Math.max(2, sockets))));
}

/** Why network namespaces cannot be made here (root, unshare and ip needed), or undefined when they can. */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  for (const tool of ['unshare', 'ip']) {
    if (which.sync(tool, { nothrow: true }) === null)
      return `${tool} is not installed (${tool === 'ip' ? 'iproute2' : 'util-linux'})`;
  }
  return undefined;
}

/** Why an own namespace with its own established hash cannot be made here, or undefined when it can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return namespacesUnavailable();
  if (readSysctlValue(CHILD_EHASH) === undefined) return `this kernel has no ${CHILD_EHASH} (Linux ≥ 6.1)`;
  return namespacesUnavailable();
}

const netnsOf = (pid: number | 'self') => readlinkSync(`/proc/${pid}/ns/net`);

/**
 * Runs this same command (node, its loader flags, script and arguments) in a new network
 * namespace with an established hash of `ehashEntries` buckets, with `handDown` in its
 * NETNS_CHILD_ENV; resolves with its exit code.
 */
export async function rerunInOwnNetns(ehashEntries: number, handDown: string): Promise<number> {
  const previous = readSysctlValue(CHILD_EHASH) ?? '0';
  writeFileSync(sysctlPath(CHILD_EHASH), String(ehashEntries));
  const restore = () => writeFileSync(sysctlPath(CHILD_EHASH), previous);
  const child = runInForeground(['unshare', '--net', '--', ...ownNodeCommand(), ...process.argv.slice(2)], {
    ...process.env,
    [NETNS_CHILD_ENV]: handDown,
  });
  // unshare(2) then exec: the same pid, in a new namespace, which got its hash table as it was
  // created. Until then the sysctl must stay; after, nothing else should get such a table.
  const ours = netnsOf('self');
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (!exited && child.pid !== undefined) {
    let theirs = ours;
    try {
      theirs = netnsOf(child.pid);
    } catch {
      break; // already gone
    }
    if (theirs !== ours) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  restore();
  return child.exited;
}

/**
 * Inside the new namespace: brings loopback up, and raises the per-namespace sysctls that `rows`
 * (tune's assessment, read inside the namespace) says need raising: they start at the kernel's
 * defaults here and vanish with the namespace. Returns the placement and what was set, as
 * "name: from -> to" lines.
 */
export function prepareOwnNetns(rows: readonly TuneRow[]): { placement: NetworkPlacement; set: string[] } {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const set: string[] = [];
  for (const row of rows) {
    if (row.verdict !== 'raise' || row.applyValue === undefined || !isPerNamespaceSysctl(row.name)) continue;
    writeFileSync(sysctlPath(row.name), row.applyValue);
    set.push(`${row.name}: ${row.current} -> ${row.applyValue}`);
  }
  // A namespace with a table of its own shows its size; one sharing the host's shows it negated.
  const entries = Number(readSysctlValue('net.ipv4.tcp_ehash_entries') ?? 0);
  return { placement: { namespace: 'own', ehashEntries: Math.abs(entries) }, set };
}

/** The host namespace's placement, with the reason it is used. */
export function hostPlacement(why: string): NetworkPlacement {
  return { namespace: 'host', ehashEntries: Math.abs(Number(readSysctlValue('net.ipv4.tcp_ehash_entries') ?? 0)), why };
}
