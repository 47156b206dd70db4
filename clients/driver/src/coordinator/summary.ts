// The human summary printed after a run, drawn from the DriverResult alone so that what a
// person reads and what --json records can never disagree.
import { BUCKET_KEYS } from '@c1m/results';
import type { DriverResult, LatencySummaryUs } from '@c1m/schema';

const int = (n: number) => Math.round(n).toLocaleString('en-US');

function bytesPerSecond(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB/s`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB/s`;
  return `${Math.round(n)} B/s`;
}

function latencyLine(s: LatencySummaryUs): string {
  if (s.count === 0) return 'no samples';
  return (
    `p50 ${int(s.p50Us)}  p90 ${int(s.p90Us)}  p99 ${int(s.p99Us)}  p99.9 ${int(s.p999Us)}  ` +
    `max ${int(s.maxUs)}  (mean ${int(s.meanUs)}, n ${int(s.count)})`
  );
}

function causes(map: Record<string, number>): string {
  const entries = Object.entries(map).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${int(n)}`).join(', ');
}

/** The TcpMotor table, one `name [count]` row per bucket. */
export function formatBuckets(buckets: Record<string, number>): string[] {
  return BUCKET_KEYS.map((key) => `  ${key.padEnd(12)}[${buckets[key] ?? 0}]`);
}

/** The summary text of a run. */
export function formatSummary(r: DriverResult): string {
  const o = r.options as {
    mode?: string;
    pipeline?: number;
    rate?: number;
    meanSizeBytes?: number;
    workload?: string;
    bodySize?: number;
    keepAlive?: string;
  };
  const mode =
    r.scenario === 'echo'
      ? o.mode === 'open'
        ? `open loop ${int(o.rate ?? 0)} msgs/s`
        : `closed loop, pipeline ${o.pipeline}`
      : r.scenario;
  const lines = [
    `c1m-load ${r.scenario}: ${r.target.join(' ')}  ` +
      `(${mode}, ${o.workload}, ${
        r.target[0]?.startsWith('http')
          ? `${o.bodySize} B bodies, keep-alive ${o.keepAlive}`
          : `~${Math.round(o.meanSizeBytes ?? 0)} B bodies`
      }, ${r.driver.shards} shard${r.driver.shards === 1 ? '' : 's'})`,
    `connections  ${int(r.connections.established)} established ` +
      `of ${int(r.connections.requested)}, ${int(r.connections.failed)} failed${
        r.connections.failed > 0 ? ` (${causes(r.connections.failedByCause)})` : ''
      }, in ${r.connections.connectSeconds.toFixed(2)}s`,
    `connect µs   ${latencyLine(r.connectTimeUs)}`,
    `messages     ${int(r.messages.sent)} sent, ${int(r.messages.received)} ` +
      `received, ${int(r.messages.mismatches)} mismatched, ${int(r.messages.missing)} ` +
      `missing${r.messages.notSent ? `, ${int(r.messages.notSent)} not sent` : ''}`,
    `throughput   ${int(r.messagesPerSecond)} msgs/s ` +
      `over ${r.durationSeconds}s, ${bytesPerSecond(r.bytesSentPerSecond)} ` +
      `out, ${bytesPerSecond(r.bytesReceivedPerSecond)} in`,
    `latency µs   ${latencyLine(r.latencyUs)}`,
  ];
  if (o.mode === 'open' || r.scenario === 'max-rate' || r.scenario === 'hold') {
    lines.push(`  uncorrected ${latencyLine(r.latencyUncorrectedUs)}`);
  }
  lines.push(`errors       ${causes(r.errorsByCause)}`);
  if (r.hold) {
    lines.push(`hold         ping every ${r.hold.pingIntervalSeconds}s, RTT µs ${latencyLine(r.hold.pingRttUs)}`);
    for (const [k, round] of r.hold.rounds.entries()) {
      lines.push(
        `  round ${k + 1} at ${round.atSeconds}s: ${int(round.answered)} answered, ${int(round.missed)} missed`,
      );
    }
  }
  if (r.short)
    lines.push(
      `short        TIME_WAIT ${int(r.short.timeWaitBefore ?? 0)} before, ${int(r.short.timeWaitAfter)} after`,
    );
  if (r.maxRate) {
    lines.push(`max-rate     best ${int(r.maxRate.bestRate)} msgs/s with p99 ≤ ${int(r.maxRate.sloP99Us)} µs`);
    for (const s of r.maxRate.steps) {
      lines.push(
        `  rate ${int(s.rate).padStart(10)}: ${int(s.messagesPerSecond).padStart(10)} msgs/s, ` +
          `p99 ${int(s.p99Us).padStart(9)} µs ${s.withinSlo ? 'within' : 'over'}`,
      );
    }
  }
  lines.push('buckets (from the scheduled send time):', ...formatBuckets(r.buckets));
  const perConn = r.driver.rssBytesPerConnection;
  lines.push(
    `driver       ${r.driver.cpuSeconds.toFixed(2)} CPU-s, peak ` +
      `RSS ${(r.driver.rssBytesPeak / 1024 / 1024).toFixed(1)} ` +
      `MiB${perConn === undefined ? '' : `, ${int(perConn)} B per connection`}`,
  );
  lines.push(r.passed ? 'result       PASSED' : `result       FAILED: ${r.failures.join('; ')}`);
  return lines.join('\n');
}
