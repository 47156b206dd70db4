// summary.md of bench:hosts: per case, each simulated host's own figures, how they add up to the
// merged result (every counter and histogram count summed and compared), how far the slices'
// starts spread, the merged summary itself, and the commands the pods ran.
import type { DriverResult } from '@c1m/schema';
import type { HostsCaseOutcome } from './run-case.ts';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** One counter: each host's value, their sum, the merged value. */
export interface AddUpRow {
  what: string;
  perHost: number[];
  sum: number;
  merged: number;
  ok: boolean;
}

/** Every counter of the merged result set against the sum of the hosts' own. */
export function addUp(merged: DriverResult, slices: readonly DriverResult[]): AddUpRow[] {
  const row = (what: string, get: (r: DriverResult) => number): AddUpRow => {
    const perHost = slices.map(get);
    const sum = perHost.reduce((a, b) => a + b, 0);
    return { what, perHost, sum, merged: get(merged), ok: sum === get(merged) };
  };
  const rows = [
    row('connections requested', (r) => r.connections.requested),
    row('connections established', (r) => r.connections.established),
    row('connections failed', (r) => r.connections.failed),
    row('messages sent', (r) => r.messages.sent),
    row('replies received', (r) => r.messages.received),
    row('replies missing', (r) => r.messages.missing),
    row('replies wrong', (r) => r.messages.mismatches),
    row('latency samples (histogram count)', (r) => r.latencyUs.count),
    row('connect-time samples (histogram count)', (r) => r.connectTimeUs.count),
  ];
  merged.hold?.rounds.forEach((_, k) => {
    rows.push(row(`round ${k + 1} answered`, (r) => r.hold?.rounds[k]?.answered ?? 0));
    rows.push(row(`round ${k + 1} missed`, (r) => r.hold?.rounds[k]?.missed ?? 0));
  });
  return rows;
}

function caseSection(c: HostsCaseOutcome): string[] {
  const lines = [`## ${c.name}`, ''];
  lines.push(
    '| host | address | slice | exit | established | sent | received | missing | p99 µs | start offset ms | passed |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const s of c.slices) {
    const r = s.result;
    lines.push(
      r
        ? `| ${s.host.hostname} | ${s.host.address} | ${r.shard?.index} | ${s.code} ` +
            `| ${int(r.connections.established)} | ${int(r.messages.sent)} | ${int(r.messages.received)} ` +
            `| ${int(r.messages.missing)} | ${int(r.latencyUs.p99Us)} | ${r.shard?.startOffsetMs} ` +
            `| ${r.passed ? 'yes' : 'no'} |`
        : `| ${s.host.hostname} | ${s.host.address} | – | ${s.code} | no result in its log | | | | | | no |`,
    );
  }
  const m = c.merged;
  if (m === null) {
    lines.push('', `**Not merged** (merge exited ${c.mergeCode}):`, '', '```', c.mergeOutput.trim(), '```', '');
    return lines;
  }
  lines.push(
    `| **merged** | | ${m.merge?.perShard.length} slices | ${c.mergeCode} | ${int(m.connections.established)} ` +
      `| ${int(m.messages.sent)} | ${int(m.messages.received)} | ${int(m.messages.missing)} ` +
      `| ${int(m.latencyUs.p99Us)} | spread ${m.merge?.startOffsetSpreadMs} | ${m.passed ? 'yes' : 'no'} |`,
    '',
  );
  const results = c.slices.flatMap((s) => (s.result ? [s.result] : []));
  const rows = addUp(m, results);
  const allOk = rows.every((r) => r.ok) && results.length === c.slices.length;
  lines.push(
    `### How the hosts add up: ${
      allOk ? "every counter of the merge is the sum of the hosts'" : '**some counters do not add up**'
    }`,
    '',
  );
  lines.push('| counter | per host | sum | merged | |', '|---|---|---|---|---|');
  for (const r of rows)
    lines.push(
      `| ${r.what} | ${r.perHost.map(int).join(' + ')} | ${int(r.sum)} | ${int(r.merged)} ` +
        `| ${r.ok ? '=' : '**≠**'} |`,
    );
  lines.push(
    '',
    "Latency percentiles are not summed: the merge adds the hosts' HdrHistograms bucket by bucket and reads the " +
      'percentiles off the sum.',
    '',
  );
  const offsets = results.map((r) => r.shard?.startOffsetMs ?? 0);
  lines.push(
    `### Clock: start offsets ${Math.min(...offsets)} … ${Math.max(...offsets)} ms after the barrier, ` +
      `spread ${m.merge?.startOffsetSpreadMs} ms`,
    '',
    'Each slice measures, by its own clock, how late its ramp began after the shared `C1M_START_AT`. Simulated ' +
      'hosts share one kernel clock, so here the spread is only scheduling lateness; on a cluster it also holds ' +
      "the skew between the nodes' clocks (NTP), which no slice can see by itself.",
    '',
    '### Merged summary (`c1m-load merge`)',
    '',
    '```',
    c.mergeOutput.trim(),
    '```',
    '',
    '### Commands, from infra/k8s',
    '',
    `- server pod: \`${c.serverCommand.join(' ')}\``,
    `- load pod 0 (every pod the same, \`JOB_COMPLETION_INDEX\` differs): \`${c.loadCommand.join(' ')}\``,
    '',
  );
  return lines;
}

/** The whole summary.md. */
export function renderHostsSummary(
  settings: { hosts: number; server: string; transport: string; workers: number; subnet: string },
  cases: readonly HostsCaseOutcome[],
): string {
  return [
    `# bench:hosts: ${settings.hosts} simulated load hosts against ${settings.server} ` +
      `(${settings.transport}, ${settings.workers} workers)`,
    '',
    `Each host is a network namespace with its own address on ${settings.subnet}.0/24 (a bridge in a switch ` +
      `namespace; nothing leaves the machine) and its own host name. The server pod and every load pod ran the ` +
      `command and environment of infra/k8s (server Deployment, load Indexed Job), through the image's ` +
      `entrypoint; each slice printed its result into its log, and the logs were merged with \`c1m-load merge` +
      `\`. All hosts share this machine's CPUs: the figures show that the slices add up exactly, not what ` +
      `separate machines would reach.`,
    '',
    ...cases.flatMap(caseSection),
  ].join('\n');
}
