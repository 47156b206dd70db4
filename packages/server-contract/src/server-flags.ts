// The contract's flag table: every server parses its command line through this, so flags,
// defaults, valid choices and --help are the same everywhere.
import { availableParallelism } from 'node:os';
import {
  DEFAULT_CPU_ROUNDS,
  DEFAULT_HTTP_BODY_BYTES,
  DEFAULT_HTTP_SLEEP_MS,
  DEFAULT_IO_MAX_READ,
  DEFAULT_MAX_FRAME,
  WORKLOADS,
} from '@c1m/protocol';
import { formatHelp, parseFlags, UsageError, type FlagTable } from '@c1m/cli';
import { TRANSPORTS } from '@c1m/schema';
import { checkHttpPairing, workloadChoices } from './http-flags.ts';
import type { ServerOptions, ServerSpec } from './options.ts';

/** Default --queue-limit: room for one request from each of ~16K connections. */
export const DEFAULT_QUEUE_LIMIT = 16_384;

/** The options a flag sets: all but the TLS material, which runServer attaches after reading or generating it. */
type ServerFlagOptions = Omit<ServerOptions, 'tlsMaterial'>;

function serverFlagTable(spec: ServerSpec): FlagTable<ServerFlagOptions> {
  const workloads = workloadChoices(spec, WORKLOADS);
  return {
    host: { flag: 'host', kind: 'string', help: 'Address to listen on', default: '127.0.0.1' },
    port: {
      flag: 'port',
      kind: 'int',
      help: 'Port to listen on; 0 picks a free one (see the ready line)',
      default: 0,
      min: 0,
      max: 65535,
    },
    transport: {
      flag: 'transport',
      kind: 'choice',
      help: 'Wire transport',
      default: spec.transports[0]!,
      choices: spec.transports,
    },
    workload: {
      flag: 'workload',
      kind: 'choice',
      help: 'What each reply is',
      default: spec.defaultWorkload ?? 'echo',
      choices: workloads,
    },
    cpuRounds: {
      flag: 'cpu-rounds',
      kind: 'int',
      help: 'cpu workload: SHA-256 rounds per frame',
      default: DEFAULT_CPU_ROUNDS,
      min: 1,
      max: 1_000_000,
    },
    ioMaxReadBytes: {
      flag: 'io-max-read',
      kind: 'bytes',
      help: 'io workload: largest read a request may ask for',
      default: DEFAULT_IO_MAX_READ,
      min: 1,
      max: 16 * 1024 * 1024,
    },
    ioFileBytes: {
      flag: 'io-file-size',
      kind: 'bytes',
      help: 'io workload: size of the data file read from',
      default: 4 * 1024 * 1024,
      min: 251,
    },
    workers: {
      flag: 'workers',
      kind: 'int',
      help: spec.usesWorkers ? 'Loops, threads or processes' : 'Ignored: this architecture has one loop',
      default: availableParallelism(),
      min: 1,
      max: 256,
    },
    style: {
      flag: 'style',
      kind: 'choice',
      help: 'Architecture variant',
      default: spec.styles?.[0] ?? 'default',
      choices: spec.styles ?? ['default'],
    },
    maxFrameBytes: {
      flag: 'max-frame',
      kind: 'bytes',
      help: 'Largest frame body accepted; larger closes the connection',
      default: DEFAULT_MAX_FRAME,
      min: 12,
      max: 256 * 1024 * 1024,
    },
    statsPort: {
      flag: 'stats-port',
      kind: 'int',
      help: 'Port of the GET /stats HTTP endpoint; 0 picks a free one',
      default: 0,
      min: 0,
      max: 65535,
    },
    drainTimeoutMs: {
      flag: 'drain-timeout',
      kind: 'duration',
      help: 'On SIGTERM/SIGINT, longest wait for replies before forcing',
      default: 5000,
      min: 0,
    },
    backpressureSoftBytes: {
      flag: 'backpressure-soft',
      kind: 'bytes',
      help: 'Unsent output per connection that pauses reading',
      default: 256 * 1024,
      min: 1024,
    },
    backpressureHardBytes: {
      flag: 'backpressure-hard',
      kind: 'bytes',
      help: 'Unsent output per connection that closes it (counted)',
      default: 4 * 1024 * 1024,
      min: 4096,
    },
    bodySize: {
      flag: 'body-size',
      kind: 'bytes',
      help: 'http workloads: bytes of the response body (aes: of the plaintext)',
      default: DEFAULT_HTTP_BODY_BYTES,
      min: 0,
      max: 64 * 1024 * 1024,
    },
    sleepMs: {
      flag: 'sleep',
      kind: 'duration',
      help: 'sleep workload: wait before each response',
      default: DEFAULT_HTTP_SLEEP_MS,
      min: 0,
    },
    tls: {
      flag: 'tls',
      kind: 'boolean',
      help:
        'Serve the transport inside TLS (wss, https) with a self-signed certificate generated at start ' +
        'unless --tls-cert/--tls-key',
      default: false,
    },
    tlsCertFile: { flag: 'tls-cert', kind: 'string', help: 'PEM certificate file for --tls', default: '' },
    tlsKeyFile: { flag: 'tls-key', kind: 'string', help: 'PEM private key file for --tls', default: '' },
    queueLimit: {
      flag: 'queue-limit',
      kind: 'int',
      help: 'Offloading servers: requests queued for worker threads before new ones are shed (C1M_OVERLOADED)',
      default: DEFAULT_QUEUE_LIMIT,
      min: 1,
      max: 1 << 24,
    },
  };
}

/** Parses a server's argv. Throws UsageError (exit 2) on a bad flag; returns null when --help was printed. */
export function parseServerArgs(spec: ServerSpec, argv: readonly string[]): ServerOptions | null {
  const table = serverFlagTable(spec);
  const { options, help } = parseFlags(table, argv);
  if (help) {
    process.stdout.write(`${serverHelp(spec)}\n`);
    return null;
  }
  const { backpressureSoftBytes: soft, backpressureHardBytes: hard } = options;
  if (hard <= soft) {
    throw new UsageError(
      `--backpressure-hard (${hard} bytes) must be larger than --backpressure-soft (${soft} bytes): give a hard ` +
        `limit above ${soft} or a soft limit below ${hard}`,
      'C1M_BACKPRESSURE_LIMITS',
    );
  }
  if (!TRANSPORTS.includes(options.transport))
    throw new UsageError(`--transport must be one of: ${spec.transports.join(', ')}`);
  return checkHttpPairing(spec, options, argv);
}

/** The --help text of a server. */
export function serverHelp(spec: ServerSpec): string {
  return formatHelp(`Usage: ${spec.name} [options]`, spec.description, serverFlagTable(spec));
}

/** Defaults for every option, for tests and in-process starts. */
export function defaultServerOptions(spec: ServerSpec, overrides: Partial<ServerOptions> = {}): ServerOptions {
  return { ...parseFlags(serverFlagTable(spec), []).options, ...overrides };
}
