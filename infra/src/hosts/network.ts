// Simulated machines for bench:hosts: network namespaces ("hosts") with addresses of their own on
// a private /24, joined through a bridge that lives in a "switch" namespace of its own. Every link
// is created inside those namespaces (`ip -n`), so the host's own links, addresses and routes are
// never touched and nothing can leave to a real network. Torn down by name: processes first
// (a namespace outlives `ip netns del` while a process runs in it), then namespaces and the
// /etc/netns/<name> files `ip netns exec` mounts (the Service name's hosts entry).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The private /24 the hosts live on; it exists only inside these namespaces. */
export const HOSTS_SUBNET = '10.201.0';

/** One simulated machine. */
export interface SimHost {
  /** Network namespace name. */
  netns: string;
  /** Its host name (UTS namespace), as a pod's would be its pod name. */
  hostname: string;
  address: string;
}

/** Names of every namespace a run `runId` creates (so teardown and tests can find them). */
export function namespacePrefix(runId: string): string {
  return `c1mh-${runId}-`;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Pids of the processes in namespace `name` (`ip netns pids`). */
function pidsIn(name: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** SIGKILL to every process in namespace `name`, then waits until none is left (at most 5 s). */
function killAndWait(name: string): void {
  for (let i = 0; i < 50; i++) {
    const pids = pidsIn(name);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    Atomics.wait(pause, 0, 0, 100);
  }
}

/** Every network namespace on the machine (`ip netns list`). */
export function listNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter(Boolean);
}

/** H+1 simulated hosts (the server's and H load hosts) on one bridge. */
export class SimNetwork {
  readonly switchNetns: string;
  readonly server: SimHost;
  readonly loadHosts: SimHost[];
  private readonly created: string[] = [];

  private constructor(
    readonly runId: string,
    loadHosts: number,
  ) {
    const prefix = namespacePrefix(runId);
    this.switchNetns = `${prefix}switch`;
    this.server = { netns: `${prefix}server`, hostname: 'c1m-server-0', address: `${HOSTS_SUBNET}.2` };
    this.loadHosts = Array.from({ length: loadHosts }, (_, i) => ({
      netns: `${prefix}load-${i}`,
      hostname: `c1m-load-${i}`,
      address: `${HOSTS_SUBNET}.${i + 3}`,
    }));
  }

  get hosts(): SimHost[] {
    return [this.server, ...this.loadHosts];
  }

  /**
   * Creates the switch and the hosts; `hostsEntries` become /etc/hosts lines in every host (the
   * cluster DNS of the simulation). On failure, whatever was created is removed again.
   */
  static create(runId: string, loadHosts: number, hostsEntries: Record<string, string>): SimNetwork {
    if (loadHosts + 2 > 254) throw new Error(`at most 252 load hosts fit the /24 (asked for ${loadHosts})`);
    const net = new SimNetwork(runId, loadHosts);
    try {
      net.addNetns(net.switchNetns);
      ip(['-n', net.switchNetns, 'link', 'add', 'br0', 'type', 'bridge']);
      ip(['-n', net.switchNetns, 'link', 'set', 'br0', 'up']);
      net.hosts.forEach((host, n) => {
        net.addNetns(host.netns);
        // Both ends made inside the namespaces: the switch's port, and the host's eth0.
        ip([
          '-n',
          net.switchNetns,
          'link',
          'add',
          `port${n}`,
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          host.netns,
        ]);
        ip(['-n', net.switchNetns, 'link', 'set', `port${n}`, 'master', 'br0', 'up']);
        ip(['-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0']);
        ip(['-n', host.netns, 'link', 'set', 'eth0', 'up']);
        ip(['-n', host.netns, 'link', 'set', 'lo', 'up']);
        const dir = join('/etc/netns', host.netns);
        mkdirSync(dir, { recursive: true });
        const lines = [
          `127.0.0.1 localhost`,
          `${host.address} ${host.hostname}`,
          ...Object.entries(hostsEntries).map(([name, address]) => `${address} ${name}`),
        ];
        writeFileSync(join(dir, 'hosts'), `${lines.join('\n')}\n`);
      });
    } catch (err) {
      net.destroy();
      throw err;
    }
    return net;
  }

  private addNetns(name: string): void {
    ip(['netns', 'add', name]);
    this.created.push(name);
  }

  /** Writes a per-namespace sysctl inside a host (as a pod's securityContext.sysctls does). */
  setSysctl(host: SimHost, name: string, value: string): void {
    execFileSync('ip', [
      'netns',
      'exec',
      host.netns,
      'sh',
      '-c',
      `echo "$1" > "/proc/sys/$2"`,
      'sh',
      value,
      name.replaceAll('.', '/'),
    ]);
  }

  /** The argv prefix that runs a command on `host`: its network namespace and its own host name. */
  execPrefix(host: SimHost): string[] {
    return [
      'ip',
      'netns',
      'exec',
      host.netns,
      'unshare',
      '--uts',
      'sh',
      '-c',
      'hostname "$0" && exec "$@"',
      host.hostname,
    ];
  }

  /**
   * Removes every namespace this network created and its /etc/netns files; safe to call twice.
   * Whatever still runs inside them (only what this run started there) is SIGKILLed and waited
   * for first (bounded: 5 s), so no namespace lingers unnamed behind a process.
   */
  destroy(): void {
    for (const name of this.created.splice(0).reverse()) {
      killAndWait(name);
      try {
        ip(['netns', 'del', name]);
      } catch {
        // already gone
      }
      rmSync(join('/etc/netns', name), { recursive: true, force: true });
    }
  }
}
