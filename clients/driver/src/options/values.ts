// Value forms of the driver's flags that the shared flag table has no kind for: target URLs
// with port ranges, IPv4 source ranges, message-size distributions and µs durations.
import { isIPv4 } from 'node:net';
import { parseBytes, UsageError } from '@c1m/cli';
import { BODY_HEADER_BYTES, type HttpWorkload, type Workload } from '@c1m/protocol';

/** One server endpoint. */
export interface Target {
  transport: 'tcp' | 'ws' | 'http';
  host: string;
  port: number;
  /** Request path of the WebSocket upgrade or the HTTP GET ('/' for tcp). */
  path: string;
  /** Canonical form, as reported. */
  url: string;
  /** Inside TLS: tls://, wss://, https:// (the server's certificate is not verified: it is self-signed). */
  tls?: boolean;
}

/** URL schemes: the transport each names and whether it is inside TLS. */
const SCHEMES: Record<string, { transport: Target['transport']; tls: boolean }> = {
  tcp: { transport: 'tcp', tls: false },
  ws: { transport: 'ws', tls: false },
  http: { transport: 'http', tls: false },
  tls: { transport: 'tcp', tls: true },
  wss: { transport: 'ws', tls: true },
  https: { transport: 'http', tls: true },
};

const TARGET_RE = /^(tcp|ws|http|tls|wss|https):\/\/(\[[0-9a-fA-F:]+\]|[^/:\s]+):(\d+)(?:-(\d+))?(\/\S*)?$/;

/** Parses a comma-separated list of targets; a port range expands to one target per port. */
export function parseTargets(text: string): Target[] {
  const out: Target[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = TARGET_RE.exec(item);
    if (!m)
      throw new UsageError(
        `--target "${item}": expected tcp://HOST:PORT[-PORT], ws://HOST:PORT[-PORT]/PATH or ` +
          `http://HOST:PORT[-PORT]/PATH (tls://, wss://, https:// inside TLS)`,
      );
    const scheme = m[1]!;
    const { transport, tls } = SCHEMES[scheme]!;
    const host = m[2]!.replace(/^\[|\]$/g, '');
    const first = Number(m[3]);
    const last = m[4] === undefined ? first : Number(m[4]);
    const path = m[5] ?? '/';
    if (first < 1 || last > 65535 || last < first)
      throw new UsageError(`--target "${item}": ports must be 1-65535 and ascending`);
    if (transport === 'tcp' && path !== '/') throw new UsageError(`--target "${item}": tcp targets take no path`);
    for (let port = first; port <= last; port++) {
      const hostPart = host.includes(':') ? `[${host}]` : host;
      out.push({
        transport,
        host,
        port,
        path,
        url: `${scheme}://${hostPart}:${port}${transport === 'tcp' ? '' : path}`,
        ...(tls ? { tls } : {}),
      });
    }
  }
  if (out.length === 0) throw new UsageError('--target is required, e.g. --target tcp://127.0.0.1:9000');
  if (new Set(out.map((t) => `${t.transport}${t.tls ? '+tls' : ''}`)).size > 1)
    throw new UsageError('--target: all targets must use the same transport (tcp, ws or http)');
  return out;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** Parses "127.0.0.2-127.0.0.50" or "127.0.0.2,127.0.0.3" (ranges and addresses mixed) into addresses. */
export function parseSourceIps(text: string): string[] {
  const out: string[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [from, to] = item.split('-');
    if (to === undefined) {
      if (!isIPv4(from!) && !from!.includes(':')) throw new UsageError(`--source-ips "${item}": not an IP address`);
      out.push(from!);
      continue;
    }
    if (!isIPv4(from!) || !isIPv4(to))
      throw new UsageError(`--source-ips "${item}": a range needs two IPv4 addresses, e.g. 127.0.0.2-127.0.0.50`);
    const a = ipv4ToInt(from!);
    const b = ipv4ToInt(to);
    if (b < a || b - a > 65535)
      throw new UsageError(`--source-ips "${item}": range must ascend and hold at most 65536 addresses`);
    for (let n = a; n <= b; n++) out.push(intToIpv4(n));
  }
  if (out.length === 0) throw new UsageError('--source-ips: no address given');
  return out;
}

/** Loopback source addresses for `count` connections: one per `perAddress`, from 127.0.0.2 up. */
export function autoSourceIps(count: number, perAddress: number): string[] {
  const needed = Math.ceil(count / perAddress);
  const out: string[] = [];
  for (let i = 0; i < needed; i++) out.push(intToIpv4(ipv4ToInt('127.0.0.2') + i));
  return out;
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** Message sizes: a fixed size, a list (each equally likely) or a uniform inclusive range. */
export type SizeSpec = { kind: 'list'; sizes: number[] } | { kind: 'range'; min: number; max: number };

/** Smallest body the driver sends: it carries seq and send time. */
const MIN_BODY = BODY_HEADER_BYTES;

/** Parses --size. For io the number is the read length, so 0 is allowed there. */
export function parseSizeSpec(text: string, workload: Workload | HttpWorkload): SizeSpec {
  const min = workload === 'io' ? 0 : MIN_BODY;
  const one = (part: string) => {
    const n = parseBytes(part);
    if (n === undefined) throw new UsageError(`--size "${text}": "${part}" is not a size such as 64 or 1KiB`);
    if (n < min)
      throw new UsageError(`--size "${text}": at least ${min} bytes (a body carries a 12-byte seq/time header)`);
    if (n > 64 * 1024 * 1024) throw new UsageError(`--size "${text}": at most 64MiB`);
    return n;
  };
  const range = /^([^,-]+)-([^,-]+)$/.exec(text.trim());
  if (range) {
    const lo = one(range[1]!);
    const hi = one(range[2]!);
    if (hi < lo) throw new UsageError(`--size "${text}": a range must ascend`);
    return { kind: 'range', min: lo, max: hi };
  }
  return { kind: 'list', sizes: text.split(',').map((s) => one(s.trim())) };
}

/** Largest size a spec can produce. */
export function maxSize(spec: SizeSpec): number {
  return spec.kind === 'range' ? spec.max : Math.max(...spec.sizes);
}

/** Mean size of a spec (for reporting). */
export function meanSize(spec: SizeSpec): number {
  return spec.kind === 'range' ? (spec.min + spec.max) / 2 : spec.sizes.reduce((a, b) => a + b, 0) / spec.sizes.length;
}

const US_UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000, '': 1_000_000, m: 60_000_000 };

/** Parses "500us", "10ms", "1.5s" into µs; undefined when malformed. */
export function parseDurationUs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|)$/i.exec(text.trim());
  return m ? Math.round(Number(m[1]) * US_UNITS[m[2]!.toLowerCase()]!) : undefined;
}
