// Number formatting shared by the markdown summary, the HTML report and compare.
import { HTTP_TITLES } from '../model/http-scenarios.ts';
import type { ScenarioId } from '../model/case-result.ts';
import type { MetricName } from '../model/metrics.ts';

/** Formats one metric value for a table cell; "—" when absent. */
export function formatMetric(name: MetricName, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  switch (name) {
    case 'serverCpuSecondsPerMillionMessages':
      return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
    case 'latencyP50Us':
    case 'latencyP99Us':
    case 'latencyP999Us':
    case 'connectionsHeld':
    case 'connectRatePerSecond':
    case 'messagesPerSecond':
    case 'serverBytesPerConnection':
    case 'errors':
      return Math.round(value).toLocaleString('en-US');
  }
}

/** A ratio as "0.45×". */
export function formatRatio(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '' : `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

/** A change as "+3.1%". */
export function formatPercent(change: number): string {
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

/** Seconds as "1m 05s" or "12.3s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
}

/** Human titles of the scenarios. */
export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  hold: 'hold — the most idle connections this machine allows per architecture, proved alive by pings',
  'echo-100': 'echo — 100 connections, 64 B, closed loop',
  'echo-10k': 'echo — 10,000 connections, 64 B, closed loop',
  cpu: 'cpu workload — SHA-256 chain per message, per style',
  io: 'io workload — asynchronous file reads per message, per style',
  short: 'short — connect, 100 B round trip, close, in loops (TIME_WAIT test)',
  'c-pair': 'C pair — the C client against the C server (the metal, no Node on either side)',
  ...HTTP_TITLES,
  'tls-hold':
    'TLS hold — idle connections inside TLS (tls://, wss://, self-signed certificate): connect/s is TLS ' +
    'handshakes/s, server B / conn the memory per idle TLS connection',
};

/** Bytes as GiB with one decimal ("2.3 GiB"). */
export function formatGib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
