// c1m-summary.md: the answer of a bench:c1m run as tables, with the ceiling explained.
import type { C1mFigures } from './figures.ts';
import { coresNeeded, kernelPart, MEDIAN_STRETCH_SECONDS } from './ping-cost.ts';

const n = (v: number) => v.toLocaleString('en-US');
const kb = (bytes: number) => (bytes / 1024).toFixed(2);
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
const ms = (us: number) => (us / 1000).toFixed(1);
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
/** "0.40 (process_api (1) 0.40)": cores outside the run, naming the busiest. */
const outsideText = (cpu: C1mFigures['machineCpuWhileFull']) =>
  cpu.outsideTop.length === 0
    ? String(cpu.outsideCores)
    : `${cpu.outsideCores} (${cpu.outsideTop.map((t) => `${t.name} ${t.cores}`).join(', ')})`;

/** What the run knew about the machine when it started. */
export interface C1mMachine {
  fdHard: number;
  perProcessBudget: number;
  memTotalBytes: number;
  cores: number;
}

/** Renders the summary; `pingIntervalSeconds` is the round every connection was asked to answer. */
export function renderC1mSummary(
  runId: string,
  figures: readonly C1mFigures[],
  machine: C1mMachine,
  notes: readonly string[],
  pingIntervalSeconds: number,
): string {
  const costed = figures.filter((f) => f.pingCostWhileFull !== undefined);
  const singles = figures.filter((f) => (f.serverProcesses ?? 1) === 1);
  // The ceiling a single-process server states in its ready line (its fd budget), else the machine's estimate.
  const ceiling = Math.max(0, ...singles.map((f) => f.serverMaxConnections ?? 0)) || machine.perProcessBudget;
  const lines = [
    `# bench:c1m ${runId}`,
    '',
    `Machine: ${machine.cores} cores, ${gib(machine.memTotalBytes)} GiB, RLIMIT_NOFILE ` +
      `hard ${n(machine.fdHard)} → at most ${n(machine.perProcessBudget)} connections per process.`,
    '',
    ...notes.map((note) => `- ${note}`),
    '',
    '## Connections held',
    '',
    '| case | held / requested | failed | processes | connect time | connect rate /s | connect p50 / p99 ms | ' +
      'ping RTT p50 / p99 / max ms | rounds answered (missed) | result |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...figures.map((f) =>
      row([
        f.case,
        `${n(f.heldConnections)} / ${n(f.requestedConnections)}`,
        n(f.failedConnections),
        n(f.serverProcesses ?? 1),
        `${f.connectSeconds.toFixed(1)} s`,
        n(f.connectRatePerSecond),
        `${ms(f.connectP50Us)} / ${ms(f.connectP99Us)}`,
        `${ms(f.pingRttP50Us)} / ${ms(f.pingRttP99Us)} / ${ms(f.pingRttMaxUs)}`,
        f.pingRounds.map((r) => `${n(r.answered)}${r.missed > 0 ? ` (${n(r.missed)})` : ''}`).join(', '),
        f.passed ? 'passed' : `FAILED: ${f.rampStoppedReason ?? f.failures[0] ?? ''}`,
      ]),
    ),
    '',
    '## Memory and CPU',
    '',
    '| case | server KB/conn (baseline MiB/process) | load generator KB/conn (baseline MiB/shard, shards) | ' +
      'kernel KB/conn | MemAvailable before → lowest GiB | CPU cores server / load generator (ramp + hold) | ' +
      'machine while full: user / kernel / softirq / idle cores | of which processes outside the run |',
    '|---|---|---|---|---|---|---|---|',
    ...figures.map((f) =>
      row([
        f.case,
        `${kb(f.serverBytesPerConnection)} (${(f.serverBaselineBytesPerProcess / 2 ** 20).toFixed(1)})`,
        `${kb(f.driverBytesPerConnection)} ` +
          `(${(f.driverBaselineBytesPerShard / 2 ** 20).toFixed(1)}, ${f.driverShards})`,
        kb(f.kernelBytesPerConnection),
        `${gib(f.memAvailableBytesBefore)} → ${gib(f.memAvailableBytesMin)}`,
        `${f.serverCpuCores} / ${f.driverCpuCores}`,
        `${f.machineCpuWhileFull.userCores} / ${f.machineCpuWhileFull.systemCores} ` +
          `/ ${f.machineCpuWhileFull.softirqCores} / ${f.machineCpuWhileFull.idleCores}`,
        outsideText(f.machineCpuWhileFull),
      ]),
    ),
    '',
    '## What the pings cost while every connection was held and pinged',
    '',
    `A round asks each connection for one round trip every ${pingIntervalSeconds} s. "Needed" is the CPU each ` +
      `side must`,
    'spend for every ping to be answered within its round, at the per-ping cost measured: a side that needs',
    'more than the cores it has (less the loopback softirq it carries) answers late, whatever its memory.',
    '',
    "CPU-µs per ping are followed by the kernel's part in parentheses: system time, which on loopback also holds",
    "the receiving side's TCP stack, run by the sender's write.",
    `The last column is each side's median cost per ping over the window's ${MEDIAN_STRETCH_SECONDS}-s stretches: ` +
      'the steady cost, beside a mean that a warm-up or a slow spell of the machine moves more.',
    '',
    '| case | pings/s answered | server: cores busy, CPU-µs per ping (kernel), cores needed | load generator: ' +
      'cores busy, CPU-µs per ping (kernel), cores needed | ' +
      `median of ${MEDIAN_STRETCH_SECONDS}-s stretches: server / load generator |`,
    '|---|---|---|---|---|',
    ...costed.map((f) => {
      const cost = f.pingCostWhileFull!;
      const asked = f.heldConnections / pingIntervalSeconds;
      const needed = (us: number) => coresNeeded(asked, us).toFixed(2);
      return row([
        f.case,
        n(cost.pingsPerSecond),
        `${cost.serverCores}, ${cost.serverCpuUsPerPing}${kernelPart(cost.serverKernelUsPerPing)}, ` +
          needed(cost.serverCpuUsPerPing),
        `${cost.driverCores}, ${cost.driverCpuUsPerPing}${kernelPart(cost.driverKernelUsPerPing)}, ` +
          needed(cost.driverCpuUsPerPing),
        cost.serverMedianUsPerPing === undefined
          ? '—'
          : `${cost.serverMedianUsPerPing} / ${cost.driverMedianUsPerPing}`,
      ]);
    }),
    '',
    '## Why the single-process rows stop near 20,000',
    '',
    `Every single-process architecture above is held at its ceiling of ${n(ceiling)} connections: the hard`,
    `descriptor limit of one process on this machine (${n(machine.fdHard)}, which cannot be raised without ` +
      `CAP_SYS_RESOURCE),`,
    'not a limit of its design. Elsewhere, one process holds a million once RLIMIT_NOFILE is above 1,000,256',
    '(`LimitNOFILE=` in its systemd unit, `nofile` in /etc/security/limits.conf, `docker run --ulimit nofile=…`)',
    'and the memory is there; the per-connection costs measured above tell how much:',
    '',
    '| architecture | user-space memory for 1,000,000 connections in one process |',
    '|---|---|',
    ...singles
      .filter((f) => f.heldConnections > 0)
      .map(
        (f) =>
          `| ${f.server} ${f.transport} | ` +
          `≈ ${gib(f.serverBytesPerConnection * 1_000_000 + f.serverBaselineBytesPerProcess)} GiB, plus ` +
          `≈ ${gib(f.kernelBytesPerConnection * 1_000_000)} GiB of kernel memory for both ends |`,
      ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
