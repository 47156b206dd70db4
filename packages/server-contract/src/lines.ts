// The two lines every server prints on stdout, built here so what a server prints has the shape
// @c1m/schema declares and infra and the conformance suite read back.
import type { ClosedLine, ReadyLine, ServerStats } from '@c1m/schema';
import type { RunningServer, ServerOptions, ServerSpec } from './options.ts';

/** The ready line of a server that listens on `server.port` and serves /stats on `statsPort`. */
export function readyLine(
  spec: ServerSpec,
  options: ServerOptions,
  server: RunningServer,
  statsPort: number,
  fdLimit: number,
): ReadyLine {
  return {
    event: 'ready',
    architecture: spec.name,
    transport: options.transport,
    workload: options.workload,
    style: options.style,
    port: server.port,
    statsPort,
    pid: process.pid,
    fdLimit,
    processes: server.processes,
    threads: server.threads,
    maxConnections: server.maxConnections,
    // One process cannot hold more sockets than its descriptor limit: say so up front.
    connectionCeiling: spec.multiProcess ? 'processes x descriptor limit' : 'descriptor limit of one process',
    tls: options.tls ?? false,
    ...(options.tlsMaterial ? { tlsCertificate: options.tlsMaterial.source } : {}),
  };
}

/** The closed line after a drain; `stats` are the last the server gave (absent when it gave none). */
export function closedLine(signal: string, forced: boolean, stats: ServerStats | undefined): ClosedLine {
  return {
    event: 'closed',
    signal,
    forced,
    framesIn: stats?.framesIn,
    framesOut: stats?.framesOut,
    connectionsTotal: stats?.connections.total,
  };
}

/** Writes one line (ready, closed) to stdout as JSON. */
export function printLine(line: ReadyLine | ClosedLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
