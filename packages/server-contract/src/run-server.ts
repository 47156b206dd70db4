// The one main() every server runs: parse flags, start, serve /stats, print the ready line,
// and on SIGTERM/SIGINT drain and print the closed line. Exit codes: 0 clean, 1 forced or
// failed, 2 bad flags.
import { UsageError } from '@c1m/cli';
import { isC1mError } from '@c1m/protocol';
import { withTlsMaterial } from './tls-material.ts';
import { readFdLimit } from './fd-budget.ts';
import type { ServerSpec, StartServer } from './options.ts';
import { parseServerArgs } from './server-flags.ts';
import { serveStats } from './stats-http.ts';

/** Writes one JSON event line to stdout (the ready/closed protocol tests and infra read). */
function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Runs a server as a process. Never returns until the process is done. */
export async function runServer(spec: ServerSpec, start: StartServer, argv = process.argv.slice(2)): Promise<void> {
  let options;
  try {
    options = parseServerArgs(spec, argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${spec.name}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  if (!options) return;
  if (!spec.transports.includes(options.transport)) {
    process.stderr.write(`${spec.name}: --transport ${options.transport} is not served here; choose one of: ${spec.transports.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }

  let server;
  try {
    options = await withTlsMaterial(options);
    server = await start(options);
  } catch (err) {
    // A bad --tls-cert/--tls-key pair or an engine without TLS: say so and exit 2, serve nothing.
    if (err instanceof UsageError || isC1mError(err, 'C1M_TLS_UNSUPPORTED')) {
      process.stderr.write(`${spec.name}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const stats = await serveStats(options.host, options.statsPort, () => server.stats());
  const fdLimit = readFdLimit();
  emit({
    event: 'ready',
    architecture: spec.name,
    transport: options.transport,
    workload: options.workload,
    style: options.style,
    port: server.port,
    statsPort: stats.port,
    pid: process.pid,
    fdLimit: fdLimit.soft,
    processes: server.processes,
    threads: server.threads,
    maxConnections: server.maxConnections,
    tls: options.tls ?? false,
    ...(options.tlsMaterial ? { tlsCertificate: options.tlsMaterial.source } : {}),
    // One process cannot hold more sockets than its descriptor limit: say so up front.
    connectionCeiling: spec.multiProcess ? 'processes x descriptor limit' : 'descriptor limit of one process',
  });

  const shutdown = async (signal: string) => {
    const final = await server.stats().catch(() => undefined);
    const deadline = options.drainTimeoutMs;
    const backstop = new Promise<{ forced: boolean }>((resolve) => setTimeout(() => resolve({ forced: true }), deadline + 2000).unref());
    const { forced } = await Promise.race([server.close(deadline), backstop]);
    stats.server.close();
    stats.server.closeAllConnections();
    const after = await server.stats().catch(() => final);
    emit({
      event: 'closed',
      signal,
      forced,
      framesIn: after?.framesIn,
      framesOut: after?.framesOut,
      connectionsTotal: after?.connections.total,
    });
    // The top-level exit: a forced drain may leave handles (sockets we reset) behind.
    process.exit(forced ? 1 : 0);
  };
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void shutdown(signal);
    });
  }
}

/** The entry point body for src/main.ts: runs the server and reports a crash with exit 1. */
export function main(spec: ServerSpec, start: StartServer): void {
  runServer(spec, start).catch((err: unknown) => {
    process.stderr.write(`${spec.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
