// The command line of c1m-load: one typed flag table (shared @c1m/cli machinery: parsing,
// valid choices, generated --help, exit 2), then the scenario-dependent defaults and the
// value forms the table has no kind for (targets, source ranges, size distributions, µs SLOs).
import { formatHelp, parseFlags, UsageError, type FlagTable } from '@c1m/cli';
import {
  DEFAULT_HTTP_BODY_BYTES,
  DEFAULT_MAX_FRAME,
  HTTP_WORKLOADS,
  MAX_CONTROL_PAYLOAD,
  WORKLOADS,
  type HttpWorkload,
  type Workload,
} from '@c1m/protocol';
import { checkHttpOptions } from './http-options.ts';
import { parseSliceSpec, SHARD_ENV, type SliceSpec } from './slice-spec.ts';
import {
  maxSize,
  parseDurationUs,
  parseSizeSpec,
  parseSourceIps,
  parseTargets,
  type SizeSpec,
  type Target,
} from './values.ts';

export const SCENARIOS = ['echo', 'hold', 'short', 'max-rate'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Flags exactly as the table parses them (strings where the driver parses further). */
export interface RawOptions {
  target: string;
  connections: number;
  connectRate: string;
  connectTimeoutMs: number;
  durationMs: number;
  warmupMs: number;
  size: string;
  rate: number;
  pipeline: number;
  timing: 'precise' | 'timer';
  workload: Workload | HttpWorkload;
  cpuRounds: number;
  /** http workloads: the server's --body-size (what a correct body is). */
  bodySize: number;
  /** http: a persistent connection (on) or a new connection per request (off). */
  keepAlive: 'on' | 'off';
  sourceIps: string;
  shards: number;
  json: string;
  graceMs: number;
  maxFrameBytes: number;
  pingIntervalMs: number;
  minFreeMemoryBytes: number;
  pingKind: 'echo' | 'ws-ping';
  concurrency: number;
  loops: number;
  linger0: boolean;
  reuseport: boolean;
  roundTrips: number;
  slo: string;
  startRate: number;
  maxSteps: number;
  stepDurationMs: number;
  shardIndex: string;
  shardCount: string;
  startAt: string;
}

/** Default connect rate (connections/s) of every scenario but short. */
export const DEFAULT_CONNECT_RATE = 5000;

const TABLE: FlagTable<RawOptions> = {
  target: {
    flag: 'target',
    kind: 'string',
    help:
      'tcp://HOST:PORT, ws://HOST:PORT/PATH or http://HOST:PORT/PATH; a port range ' +
      '(tcp://127.0.0.1:9000-9003) or repeating --target spreads connections over several',
    default: '',
  },
  connections: {
    flag: 'connections',
    kind: 'int',
    help: 'Connections (echo, hold, max-rate)',
    default: 100,
    min: 1,
    max: 10_000_000,
  },
  connectRate: {
    flag: 'connect-rate',
    kind: 'string',
    help:
      `New connections per second over all shards; 0 = unbounded; auto = ${DEFAULT_CONNECT_RATE}, unbounded ` +
      `for short`,
    default: 'auto',
  },
  connectTimeoutMs: {
    flag: 'connect-timeout',
    kind: 'duration',
    help: 'Longest wait for a connection (TCP connect + WebSocket upgrade; short: the whole exchange)',
    default: 10_000,
    min: 1,
  },
  durationMs: {
    flag: 'duration',
    kind: 'duration',
    help: 'Measured time (echo), hold time (hold)',
    default: 10_000,
    min: 1,
  },
  warmupMs: {
    flag: 'warmup',
    kind: 'duration',
    help: 'Load before measuring, excluded from results (echo, max-rate steps)',
    default: 1000,
    min: 0,
  },
  size: {
    flag: 'size',
    kind: 'string',
    help:
      'Body bytes per message incl. the 12-byte header: 64, 1KiB, a list 64,1024 (each equally likely) or a ' +
      'range 64-1024 (uniform); io: bytes to read; auto = 64, 100 for short',
    default: 'auto',
  },
  rate: {
    flag: 'rate',
    kind: 'int',
    help: 'Open loop: total messages/s over all connections; 0 = closed loop',
    default: 0,
    min: 0,
    max: 100_000_000,
  },
  pipeline: {
    flag: 'pipeline',
    kind: 'int',
    help: 'Closed loop: requests in flight per connection',
    default: 1,
    min: 1,
    max: 4096,
  },
  timing: {
    flag: 'timing',
    kind: 'choice',
    help:
      'Open loop: precise = spin the last ~200 µs before each send (µs-exact, costs up to a core); timer = ' +
      "event-loop timers (adds up to ~1 ms of the driver's own lateness to corrected latency, like wrk2)",
    default: 'precise',
    choices: ['precise', 'timer'],
  },
  workload: {
    flag: 'workload',
    kind: 'choice',
    help: 'What the server computes (replies are checked accordingly); static, aes, sleep for http targets',
    default: 'echo',
    choices: [...WORKLOADS, ...HTTP_WORKLOADS],
  },
  bodySize: {
    flag: 'body-size',
    kind: 'bytes',
    help: "http workloads: the server's --body-size, what a correct body is",
    default: DEFAULT_HTTP_BODY_BYTES,
    min: 0,
    max: 64 * 1024 * 1024,
  },
  keepAlive: {
    flag: 'keep-alive',
    kind: 'choice',
    choices: ['on', 'off'],
    help: 'http: on = persistent connections; off = a new connection per request (Connection: close, then RST)',
    default: 'on',
  },
  cpuRounds: {
    flag: 'cpu-rounds',
    kind: 'int',
    help: 'cpu workload: SHA-256 rounds the server applies',
    default: 1,
    min: 1,
    max: 1_000_000,
  },
  sourceIps: {
    flag: 'source-ips',
    kind: 'string',
    help:
      'Client addresses to bind: 127.0.0.2-127.0.0.50 or a comma list; auto = one loopback address per ' +
      '20000 connections above 20000',
    default: 'auto',
  },
  shards: {
    flag: 'shards',
    kind: 'int',
    help: 'Load-generator processes; 0 = auto (each under 18000 sockets)',
    default: 0,
    min: 0,
    max: 1024,
  },
  json: { flag: 'json', kind: 'string', help: 'Write the DriverResult JSON to this file', default: '' },
  graceMs: {
    flag: 'grace',
    kind: 'duration',
    help: 'Wait for outstanding replies after the run before counting them missing',
    default: 2000,
    min: 0,
  },
  maxFrameBytes: {
    flag: 'max-frame',
    kind: 'bytes',
    help: 'Largest reply body accepted',
    default: DEFAULT_MAX_FRAME,
    min: 12,
  },
  pingKind: {
    flag: 'ping-kind',
    kind: 'choice',
    choices: ['echo', 'ws-ping'],
    help:
      'hold: how a connection proves itself alive: an echo message through the server application, or (ws ' +
      "only) a WebSocket ping answered by the server's WebSocket engine",
    default: 'echo',
  },
  minFreeMemoryBytes: {
    flag: 'min-free-memory',
    kind: 'bytes',
    help:
      "Ramps stop opening connections while the machine's MemAvailable is below this (0 = never), so a big " +
      'run ends cleanly instead of meeting the OOM killer',
    default: 1024 ** 3,
    min: 0,
  },
  pingIntervalMs: {
    flag: 'ping-interval',
    kind: 'duration',
    help: 'hold: each connection proves itself alive once per interval',
    default: 5000,
    min: 1,
  },
  concurrency: {
    flag: 'concurrency',
    kind: 'int',
    help: 'short: concurrent short connections per loop',
    default: 100,
    min: 1,
    max: 10_000_000,
  },
  loops: { flag: 'loops', kind: 'int', help: 'short: loops', default: 10, min: 1, max: 1_000_000 },
  linger0: {
    flag: 'linger0',
    kind: 'boolean',
    help: 'short: close with RST (SO_LINGER 0) instead of FIN, leaving no TIME_WAIT',
    default: false,
  },
  roundTrips: {
    flag: 'round-trips',
    kind: 'int',
    help: 'short: round trips on each connection before it closes (a soak cycles connect, N round trips, close)',
    default: 1,
    min: 1,
    max: 1_000_000,
  },
  reuseport: {
    flag: 'reuseport',
    kind: 'boolean',
    help: 'short: bind explicit local ports (libuv sets SO_REUSEADDR) so ports in TIME_WAIT are reused; see README',
    default: false,
  },
  slo: { flag: 'slo', kind: 'string', help: 'max-rate: p99 bound, e.g. 10ms, 500us', default: '10ms' },
  startRate: {
    flag: 'start-rate',
    kind: 'int',
    help: 'max-rate: first rate tried (messages/s)',
    default: 1000,
    min: 1,
  },
  maxSteps: {
    flag: 'max-steps',
    kind: 'int',
    help: 'max-rate: most steps (doubling, then bisection)',
    default: 12,
    min: 2,
    max: 100,
  },
  stepDurationMs: {
    flag: 'step-duration',
    kind: 'duration',
    help: 'max-rate: measured time per step',
    default: 3000,
    min: 1,
  },
  shardIndex: {
    flag: 'shard-index',
    kind: 'string',
    help: `Run only slice I of --shard-count (a pod of an Indexed Job); default $${SHARD_ENV.index}`,
    default: '',
  },
  shardCount: {
    flag: 'shard-count',
    kind: 'string',
    help: `Slices the run is cut into over machines (echo, hold); default $${SHARD_ENV.count}`,
    default: '',
  },
  startAt: {
    flag: 'start-at',
    kind: 'string',
    help:
      `With --shard-count: ISO time every slice starts its ramp at (the start barrier); default ` +
      `$${SHARD_ENV.startAt}`,
    default: '',
  },
};

/** Everything a run needs, with defaults resolved and values parsed. */
export interface Options
  extends Omit<
    RawOptions,
    'target' | 'connectRate' | 'size' | 'sourceIps' | 'slo' | 'shardIndex' | 'shardCount' | 'startAt'
  > {
  scenario: Scenario;
  targets: Target[];
  /** Connections per second over all shards; 0 = unbounded. */
  connectRate: number;
  size: SizeSpec;
  sourceIps: string[];
  sloUs: number;
  /** This process runs one slice of a run spread over machines (--shard-count), or null. */
  slice: SliceSpec | null;
}

const USAGE =
  'Usage: c1m-load [echo|hold|short|max-rate] --target tcp://127.0.0.1:9000 | ws://127.0.0.1:9000/ | ' +
  'http://127.0.0.1:9000/ [options]';
const DESCRIPTION = [
  'Load generator for c1m wire protocol v1 (tcp, ws) and its HTTP/1.1 transport. Scenarios:',
  '  echo      throughput and latency, closed loop (--pipeline) or open loop (--rate); the default',
  '  hold      ramp to --connections, hold for --duration, ping every connection once per --ping-interval',
  '  short     --concurrency short connections (connect, send, receive, close), repeated --loops times',
  '  max-rate  highest --rate whose p99 stays under --slo (doubling, then bisection)',
  'Exit 0 on success, 1 when the run failed its own checks, 2 on bad arguments.',
].join('\n');

/** The generated --help text. */
export function helpText(): string {
  return formatHelp(USAGE, DESCRIPTION, TABLE);
}

/**
 * util.parseArgs keeps only the last of a repeated string flag, and the shared table has no
 * list kind: fold every --target occurrence into one comma-separated value first.
 */
function foldTargets(argv: readonly string[]): string[] {
  const targets: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--target') {
      if (i + 1 >= argv.length) throw new UsageError('--target needs a value such as tcp://127.0.0.1:9000');
      targets.push(argv[++i]!);
    } else if (arg.startsWith('--target=')) targets.push(arg.slice('--target='.length));
    else rest.push(arg);
  }
  return targets.length > 0 ? ['--target', targets.join(','), ...rest] : rest;
}

/** Parses argv; returns null when --help was asked for. Throws UsageError (exit 2) on bad input. */
export function parseOptions(argv: readonly string[]): Options | null {
  // `pnpm start -- echo …` hands the script a literal leading `--`.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const { options: raw, positionals, help } = parseFlags(TABLE, foldTargets(args), true);
  if (help) return null;
  if (positionals.length > 1)
    throw new UsageError(
      `one scenario expected, got: ${positionals.join(' ')}; valid scenarios: ${SCENARIOS.join(', ')}`,
    );
  const scenario = (positionals[0] ?? 'echo') as Scenario;
  if (!SCENARIOS.includes(scenario))
    throw new UsageError(`unknown scenario "${scenario}"; valid scenarios: ${SCENARIOS.join(', ')}`);
  if (raw.target === '')
    throw new UsageError('--target is required, e.g. --target tcp://127.0.0.1:9000 or --target ws://127.0.0.1:9000/');
  raw.workload = checkHttpOptions(scenario, parseTargets(raw.target), raw, args);

  const {
    target: _t,
    connectRate: connectRateText,
    size: sizeText,
    sourceIps: sourceText,
    slo: sloText,
    shardIndex,
    shardCount,
    startAt,
    ...rest
  } = raw;
  const slice = parseSliceSpec(scenario, { shardIndex, shardCount, startAt }, process.env);
  const targets = parseTargets(raw.target);
  const connectRate =
    connectRateText === 'auto'
      ? scenario === 'short'
        ? 0
        : DEFAULT_CONNECT_RATE
      : parseCount('connect-rate', connectRateText);
  const size = parseSizeSpec(sizeText === 'auto' ? (scenario === 'short' ? '100' : '64') : sizeText, raw.workload);
  const sourceIps = sourceText === 'auto' ? [] : parseSourceIps(sourceText);
  const sloUs = parseDurationUs(sloText);
  if (sloUs === undefined || sloUs <= 0)
    throw new UsageError(`--slo "${sloText}": must be a duration such as 10ms, 500us, 1s`);
  if (scenario === 'max-rate' && raw.rate > 0)
    throw new UsageError('--rate is chosen by max-rate itself; use --start-rate');
  if (raw.pingKind === 'ws-ping') {
    if (scenario !== 'hold' || targets.some((t) => t.transport !== 'ws'))
      throw new UsageError('--ping-kind ws-ping is for hold over ws:// targets');
    if (raw.workload !== 'echo' || maxSize(size) > MAX_CONTROL_PAYLOAD)
      throw new UsageError(
        `--ping-kind ws-ping carries the echo body in a ping: --workload echo and --size at ` +
          `most ${MAX_CONTROL_PAYLOAD}`,
      );
  }
  return { ...rest, scenario, targets, connectRate, size, sourceIps, sloUs, slice };
}

function parseCount(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} "${text}": must be a whole number or auto`);
  return Number(text);
}
