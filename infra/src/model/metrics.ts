// The figures a case is judged by, derived from its result file: the same derivation feeds the
// summary tables, the report and compare, so they can never disagree.
import type { CaseResult } from './case-result.ts';

/** Per-case figures; undefined where the scenario does not produce one. */
export interface CaseMetrics {
  connectionsHeld?: number;
  connectRatePerSecond?: number;
  messagesPerSecond?: number;
  latencyP50Us?: number;
  latencyP99Us?: number;
  latencyP999Us?: number;
  serverCpuSecondsPerMillionMessages?: number;
  /** Resident-memory growth of the server tree over the load, per connection held. */
  serverBytesPerConnection?: number;
  driverCpuSecondsPerMillionMessages?: number;
  /** short: seconds per connect/send/receive/close loop. */
  shortLoopSeconds?: number[];
  errors: number;
}

/** Fewest connections at which RSS growth per connection is reported. */
export const MIN_CONNECTIONS_FOR_MEMORY = 1000;

/** Metric names with their direction, unit and label, in table order. */
export const METRICS = [
  { name: 'connectionsHeld', label: 'conns held', better: 'higher', unit: '' },
  { name: 'connectRatePerSecond', label: 'connect/s', better: 'higher', unit: '/s' },
  { name: 'messagesPerSecond', label: 'msgs/s', better: 'higher', unit: '/s' },
  { name: 'latencyP50Us', label: 'p50 µs', better: 'lower', unit: 'µs' },
  { name: 'latencyP99Us', label: 'p99 µs', better: 'lower', unit: 'µs' },
  { name: 'latencyP999Us', label: 'p99.9 µs', better: 'lower', unit: 'µs' },
  { name: 'serverCpuSecondsPerMillionMessages', label: 'server CPU-s / M msgs', better: 'lower', unit: 's' },
  { name: 'serverBytesPerConnection', label: 'server B / conn', better: 'lower', unit: 'B' },
  { name: 'errors', label: 'errors', better: 'lower', unit: '' },
] as const;

export type MetricName = (typeof METRICS)[number]['name'];

const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

function perMillion(seconds: number, messages: number): number | undefined {
  return messages > 0 ? (seconds * 1e6) / messages : undefined;
}

/**
 * Server CPU per million messages from the samples: CPU of the server's process tree over the
 * sample intervals in which it answered frames, divided by the frames it answered in them (its
 * own counters, so warm-up and measured messages are both counted, like their CPU).
 */
function cpuPerMillionFromSamples(r: CaseResult): number | undefined {
  let cpu = 0;
  let frames = 0;
  for (let i = 1; i < r.samples.length; i++) {
    const a = r.samples[i - 1]!;
    const b = r.samples[i]!;
    if (!a.stats || !b.stats) continue;
    const answered = b.stats.framesOut - a.stats.framesOut;
    if (answered > 0) {
      frames += answered;
      cpu += b.server.cpuSeconds - a.server.cpuSeconds;
    }
  }
  return perMillion(cpu, frames);
}

/** Errors the server counted: protocol errors by code, backpressure closes, refused connections. */
function serverErrors(r: CaseResult): number {
  const after = r.server.statsAfter;
  if (!after) return 0;
  const before = r.server.statsBefore;
  const count = (s: typeof after | undefined) =>
    s ? sum(Object.values(s.protocolErrors ?? {})) + (s.backpressureCloses ?? 0) + (s.refusedConnections ?? 0) : 0;
  return count(after) - count(before);
}

/** Derives the metrics of one case result. */
export function caseMetrics(r: CaseResult): CaseMetrics {
  const m: CaseMetrics = { errors: serverErrors(r) };
  const d = r.driver;
  if (d) {
    const held =
      d.scenario === 'hold' && d.hold && d.hold.rounds.length > 0
        ? d.hold.rounds[d.hold.rounds.length - 1]!.answered
        : d.connections.established;
    m.connectionsHeld = held;
    if (d.connections.connectSeconds > 0 && d.scenario !== 'short') {
      m.connectRatePerSecond = d.connections.established / d.connections.connectSeconds;
    }
    m.messagesPerSecond = d.messagesPerSecond;
    const latency = d.scenario === 'hold' && d.hold ? d.hold.pingRttUs : d.latencyUs;
    if (latency.count > 0) {
      m.latencyP50Us = latency.p50Us;
      m.latencyP99Us = latency.p99Us;
      m.latencyP999Us = latency.p999Us;
    }
    m.serverCpuSecondsPerMillionMessages = perMillion(r.load.serverCpuSeconds, d.messages.received);
    m.driverCpuSecondsPerMillionMessages = perMillion(
      d.driver.cpuSeconds || r.load.driverCpuSeconds,
      d.messages.received,
    );
    m.errors += d.connections.failed + d.messages.mismatches + d.messages.missing;
    if (d.short) m.shortLoopSeconds = d.short.loops.map((l) => l.seconds);
  }
  const c = r.baselineClient;
  if (c) {
    m.connectionsHeld = c.connections - c.unfinished;
    if (c.connectSeconds > 0) m.connectRatePerSecond = c.connections / c.connectSeconds;
    m.messagesPerSecond = c.messagesPerSecond;
    m.latencyP50Us = c.latencyP50Us;
    m.latencyP99Us = c.latencyP99Us;
    m.latencyP999Us = c.latencyP999Us;
    m.serverCpuSecondsPerMillionMessages = perMillion(r.load.serverCpuSeconds, c.messages);
    m.driverCpuSecondsPerMillionMessages = perMillion(c.cpuSeconds, c.messages);
    m.errors += c.mismatches + c.errors;
  }
  m.serverCpuSecondsPerMillionMessages = cpuPerMillionFromSamples(r) ?? m.serverCpuSecondsPerMillionMessages;
  // Below ~1,000 connections the heap's own growth under load drowns the per-connection cost.
  if (m.connectionsHeld && m.connectionsHeld >= MIN_CONNECTIONS_FOR_MEMORY && r.load.serverRssBytesPeak > 0) {
    m.serverBytesPerConnection = Math.max(0, r.load.serverRssBytesPeak - r.load.serverRssBytesIdle) / m.connectionsHeld;
  }
  return m;
}

/** Median of numbers (undefined for none). */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of one metric over several results' metrics, skipping those without it. */
export function medianMetric(all: CaseMetrics[], name: MetricName): number | undefined {
  return median(all.map((m) => m[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
}
