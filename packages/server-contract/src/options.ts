// What a server is told to do (parsed flags) and what each server package declares about itself.
import type { HttpWorkload, Workload } from '@c1m/protocol';
import type { ServerStats, Transport } from '@c1m/schema';

/** Every contract flag, parsed. */
export interface ServerOptions {
  host: string;
  port: number;
  transport: Transport;
  /** echo, cpu, io on tcp and ws; static, aes, sleep on http (protocol README 3.4-3.6). */
  workload: Workload | HttpWorkload;
  cpuRounds: number;
  ioMaxReadBytes: number;
  /** Size of the io workload's data file (rounded up to a multiple of 251). */
  ioFileBytes: number;
  /** Threads or processes, where the architecture has several. */
  workers: number;
  /** Architecture variant (io-bound: loop|per-connection, cpu-bound: loop|offload). */
  style: string;
  maxFrameBytes: number;
  statsPort: number;
  drainTimeoutMs: number;
  /** Unsent output per connection above which reading stops until it drains. */
  backpressureSoftBytes: number;
  /** Unsent output per connection above which the connection is closed and counted. */
  backpressureHardBytes: number;
  /**
   * Offloading servers (worker-pool, cpu-bound --style offload): requests waiting for or inside
   * worker threads; past it new requests are shed (C1M_OVERLOADED). Optional so options built
   * before this flag existed stay valid; parsed options always carry it.
   */
  queueLimit?: number;
  /** http workloads: bytes of the static body (aes: of the plaintext). Optional like queueLimit. */
  bodySize?: number;
  /** sleep workload: the wait before each response, in milliseconds. */
  sleepMs?: number;
  /** --tls: the transport inside TLS (tcp → TLS, ws → wss, http → https). */
  tls?: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The key and certificate, attached by runServer before start (generated unless files were given). */
  tlsMaterial?: import('./tls-material.ts').TlsMaterial;
}

/** What a server package declares: it shapes --help, the valid choices and the readiness line. */
export interface ServerSpec {
  /** Package directory name, e.g. "single-loop". */
  name: string;
  description: string;
  transports: readonly Transport[];
  /** True when --workers means something to this architecture. */
  usesWorkers: boolean;
  /** True when the server spreads connections over several processes (and so past one fd limit). */
  multiProcess: boolean;
  styles?: readonly string[];
  workloads?: readonly Workload[];
  defaultWorkload?: Workload;
}

/** The handle `start(options)` returns. */
export interface RunningServer {
  /** The port actually bound. */
  port: number;
  /** Connections this server can hold on this machine (fd budget × processes). */
  maxConnections: number;
  processes: number;
  threads: number;
  /** Stats aggregated over every process and thread. */
  stats(): Promise<ServerStats>;
  /** Stop accepting, reply to what was received, close connections; forced at the deadline. */
  close(drainTimeoutMs: number): Promise<{ forced: boolean }>;
}

/** What every server package exports from src/server.ts. */
export type StartServer = (options: ServerOptions) => Promise<RunningServer>;
