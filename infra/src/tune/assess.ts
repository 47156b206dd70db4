// The arithmetic of `pnpm tune`: what a target of N loopback connections (both ends on this
// machine) needs, compared with what the machine has. Pure, so tests feed it snapshots.
import { formatGib } from '../report/format.ts';
import type { MachineSnapshot } from './machine.ts';

/** Descriptors each process keeps for itself (stdio, listeners, epoll, pipes, stats port…). */
export const RESERVED_DESCRIPTORS = 1000;
/** Kernel memory per established loopback connection, both ends (measured here: ≈10 KB). */
export const KERNEL_BYTES_PER_CONNECTION = 10_000;
/** Widest sensible ephemeral range: everything above the well-known ports. */
export const WIDE_PORT_RANGE = [1024, 65535] as const;

/**
 * ok: nothing to do · raise: `--apply` can fix it · cannot: not changeable from here (the fix is
 * explained) · info: context, no action.
 */
export type Verdict = 'ok' | 'raise' | 'cannot' | 'info';

/** One row of the tune table. */
export interface TuneRow {
  name: string;
  current: string;
  needed: string;
  verdict: Verdict;
  /** For a sysctl that --apply writes: the value it writes. */
  applyValue?: string;
  /** Shell commands a person would run. */
  commands: string[];
  note?: string;
}

/** The whole assessment for a target. */
export interface TuneAssessment {
  connections: number;
  rows: TuneRow[];
  /** Processes each side (servers, load generator) needs under the current hard limit. */
  processesPerSide: number;
  connectionsPerProcess: number;
  /** Client source addresses needed per destination ip:port with the current / widened port range. */
  sourceAddresses: { current: number; widened: number };
  kernelBytesNeeded: number;
}

const num = (s: string | undefined) => (s === undefined ? NaN : Number(s.split(' ')[0]));
const fmt = (n: number) => n.toLocaleString('en-US');

function sysctlRow(
  name: string,
  current: string | undefined,
  needed: string,
  ok: boolean,
  applyValue: string,
  note?: string,
): TuneRow {
  if (current === undefined) {
    return {
      name,
      current: 'absent',
      needed,
      verdict: 'info',
      commands: [],
      note: note ?? 'not present on this kernel',
    };
  }
  return ok
    ? { name, current, needed, verdict: 'ok', commands: [], note }
    : { name, current, needed, verdict: 'raise', applyValue, commands: [`sysctl -w ${name}="${applyValue}"`], note };
}

function portRangeSize(range: string | undefined): number {
  const [lo, hi] = (range ?? '32768 60999').split(' ').map(Number);
  return (hi ?? 60999) - (lo ?? 32768) + 1;
}

/** Assesses the machine for N concurrent loopback connections. */
export function assess(m: MachineSnapshot, connections: number): TuneAssessment {
  const s = m.sysctls;
  const rows: TuneRow[] = [];
  const perProcess = Math.max(1, m.rlimitNofile.hard - RESERVED_DESCRIPTORS);
  const processesPerSide = Math.ceil(connections / perProcess);
  const onePerSide = connections + RESERVED_DESCRIPTORS;

  // Node cannot call setrlimit, so the soft limit must already be at the hard one in the shell.
  rows.push(
    m.rlimitNofile.soft >= m.rlimitNofile.hard
      ? {
          name: 'RLIMIT_NOFILE soft',
          current: fmt(m.rlimitNofile.soft),
          needed: `= hard (${fmt(m.rlimitNofile.hard)})`,
          verdict: 'ok',
          commands: [],
        }
      : {
          name: 'RLIMIT_NOFILE soft',
          current: fmt(m.rlimitNofile.soft),
          needed: `= hard (${fmt(m.rlimitNofile.hard)})`,
          verdict: 'cannot',
          commands: ['ulimit -n "$(ulimit -Hn)"   # in the shell that runs pnpm'],
          note: "a process cannot raise its parent shell's limit; Node cannot call setrlimit itself",
        },
  );

  const hardFixes = [
    `/etc/security/limits.conf:  * soft nofile ${onePerSide}  and  * hard nofile ${onePerSide}  (then log in again)`,
    `systemd unit:  LimitNOFILE=${onePerSide}`,
    `docker run --ulimit nofile=${onePerSide}:${onePerSide} …   (Kubernetes: set it in the container runtime)`,
  ];
  if (m.rlimitNofile.hard >= onePerSide) {
    rows.push({
      name: 'RLIMIT_NOFILE hard',
      current: fmt(m.rlimitNofile.hard),
      needed: `${fmt(onePerSide)} for one process per side`,
      verdict: 'ok',
      commands: [],
    });
  } else if (m.canRaiseHardLimit) {
    rows.push({
      name: 'RLIMIT_NOFILE hard',
      current: fmt(m.rlimitNofile.hard),
      needed: `${fmt(onePerSide)} for one process per side`,
      verdict: 'cannot',
      commands: [
        `ulimit -Hn ${onePerSide} && ulimit -n ${onePerSide}   # as root, in the shell that runs pnpm`,
        ...hardFixes,
      ],
      note:
        `a child cannot raise its parent shell's limit; raise it there. Until then each side ` +
        `needs ${processesPerSide} processes of ≤ ${fmt(perProcess)} connections`,
    });
  } else {
    rows.push({
      name: 'RLIMIT_NOFILE hard',
      current: fmt(m.rlimitNofile.hard),
      needed: `${fmt(onePerSide)} for one process per side`,
      verdict: 'cannot',
      commands: hardFixes,
      note:
        `no CAP_SYS_RESOURCE here, so the hard limit cannot be raised from inside; fix it where the session or ` +
        `container is created. With ${fmt(m.rlimitNofile.hard)} each side needs ${processesPerSide} processes ` +
        `of ≤ ${fmt(perProcess)} connections (multi-process servers, sharded load generator)`,
    });
  }

  rows.push(
    sysctlRow(
      'fs.nr_open',
      s['fs.nr_open'],
      `≥ ${fmt(onePerSide)}`,
      num(s['fs.nr_open']) >= onePerSide,
      String(onePerSide),
      'ceiling for any per-process limit; only matters once the hard limit is raised',
    ),
  );

  const fileMax = 2 * connections + 65536;
  rows.push(
    sysctlRow(
      'fs.file-max',
      s['fs.file-max'],
      `≥ ${fmt(fileMax)}`,
      num(s['fs.file-max']) >= fileMax,
      String(fileMax),
      'descriptors of both ends together, system-wide',
    ),
  );

  const rangeSize = portRangeSize(s['net.ipv4.ip_local_port_range']);
  const wideSize = WIDE_PORT_RANGE[1] - WIDE_PORT_RANGE[0] + 1;
  const sourceAddresses = { current: Math.ceil(connections / rangeSize), widened: Math.ceil(connections / wideSize) };
  const rangeNeeded = Math.min(connections, wideSize);
  rows.push(
    sysctlRow(
      'net.ipv4.ip_local_port_range',
      s['net.ipv4.ip_local_port_range'],
      `${fmt(rangeNeeded)} ports`,
      rangeSize >= rangeNeeded,
      WIDE_PORT_RANGE.join(' '),
      `${fmt(rangeSize)} ports per (source, destination) pair: ${sourceAddresses.current} source address(es) ` +
        `(127.0.0.2, .3 …) per server ip:port now, ${sourceAddresses.widened} with ${WIDE_PORT_RANGE.join('-')}`,
    ),
  );

  const backlog = connections >= 10_000 ? 65535 : Math.min(connections, 1024);
  rows.push(
    sysctlRow(
      'net.core.somaxconn',
      s['net.core.somaxconn'],
      `≥ ${fmt(backlog)}`,
      num(s['net.core.somaxconn']) >= backlog,
      String(backlog),
      'accept queue bound: a fast ramp overflows a short one (SYNs dropped, 1 s retransmit stalls)',
    ),
  );
  rows.push(
    sysctlRow(
      'net.ipv4.tcp_max_syn_backlog',
      s['net.ipv4.tcp_max_syn_backlog'],
      `≥ ${fmt(backlog)}`,
      num(s['net.ipv4.tcp_max_syn_backlog']) >= backlog,
      String(backlog),
      'half-open connections during the ramp',
    ),
  );

  const twReuse = num(s['net.ipv4.tcp_tw_reuse']);
  rows.push(
    sysctlRow(
      'net.ipv4.tcp_tw_reuse',
      s['net.ipv4.tcp_tw_reuse'],
      '1 or 2 (2 = loopback only)',
      twReuse === 1 || twReuse === 2,
      '2',
      'lets new outgoing connections reuse ports in TIME_WAIT (safe, unlike the removed tcp_tw_recycle)',
    ),
  );

  const conntrack = Math.ceil(connections * 1.1);
  rows.push(
    s['net.netfilter.nf_conntrack_max'] === undefined
      ? {
          name: 'net.netfilter.nf_conntrack_max',
          current: 'not loaded',
          needed: '—',
          verdict: 'ok',
          commands: [],
          note: 'nf_conntrack is not loaded: connections are not tracked',
        }
      : sysctlRow(
          'net.netfilter.nf_conntrack_max',
          s['net.netfilter.nf_conntrack_max'],
          `≥ ${fmt(conntrack)}`,
          num(s['net.netfilter.nf_conntrack_max']) >= conntrack,
          String(conntrack),
          `nf_conntrack is loaded (${s['net.netfilter.nf_conntrack_count'] ?? '?'} tracked now); a full table ` +
            `drops new connections`,
        ),
  );

  // tcp_mem counts pages queued in socket buffers: idle held connections queue nothing, so it only
  // binds under traffic. One page per connection queued at once is the budget asked for, capped at
  // half of RAM so that raising it never invites the OOM killer.
  const tcpMem = (s['net.ipv4.tcp_mem'] ?? '').split(' ').map(Number);
  const pageBytes = 4096;
  const highNeeded = Math.min(connections, Math.floor(m.memTotalBytes / 2 / pageBytes));
  const highNow = tcpMem[2] ?? NaN;
  rows.push(
    sysctlRow(
      'net.ipv4.tcp_mem',
      s['net.ipv4.tcp_mem'],
      `high ≥ ${fmt(highNeeded)} pages`,
      highNow >= highNeeded,
      [
        Math.max(tcpMem[0] ?? 0, Math.floor(highNeeded / 2)),
        Math.max(tcpMem[1] ?? 0, Math.floor((highNeeded * 3) / 4)),
        highNeeded,
      ].join(' '),
      `pages of queued socket data, all sockets together (high ` +
        `= ${Number.isNaN(highNow) ? '?' : formatGib(highNow * pageBytes)}); idle connections queue none`,
    ),
  );
  for (const name of ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'] as const) {
    if (s[name] !== undefined) {
      rows.push({
        name,
        current: s[name],
        needed: '—',
        verdict: 'info',
        commands: [],
        note: 'per-socket buffer min/default/max: grown on demand, not reserved per idle connection',
      });
    }
  }

  const kernelBytesNeeded = connections * KERNEL_BYTES_PER_CONNECTION;
  const memOk = kernelBytesNeeded <= m.memAvailableBytes * 0.6;
  rows.push({
    name: 'kernel memory',
    current: `${formatGib(m.memAvailableBytes)} available of ${formatGib(m.memTotalBytes)}`,
    needed: `≈ ${formatGib(kernelBytesNeeded)} (${KERNEL_BYTES_PER_CONNECTION / 1000} KB × connection, both ends)`,
    verdict: memOk ? 'ok' : 'cannot',
    commands: [],
    note: memOk
      ? 'user space of both sides comes on top: see the per-connection figures of bench:all'
      : `not enough memory: about ${fmt(Math.floor((m.memAvailableBytes * 0.6) / KERNEL_BYTES_PER_CONNECTION))} ` +
        `connections fit with room for user space`,
  });

  return { connections, rows, processesPerSide, connectionsPerProcess: perProcess, sourceAddresses, kernelBytesNeeded };
}
