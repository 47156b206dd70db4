// The one main() every server runs: parse flags, start, serve /stats, print the ready line,
// and on SIGTERM/SIGINT drain and print the closed line. Exit codes: 0 clean, 1 forced or
// failed, 2 bad flags.
import { runCli, UsageError } from '@c1m/cli';
import { isC1mError } from '@c1m/protocol';
import {
  closedLine,
  parseServerArgs,
  printLine,
  readyLine,
  withTlsMaterial,
  type RunningServer,
  type ServerSpec,
  type StartServer,
} from '@c1m/server-contract';
import { readFdLimit } from './fd-budget.ts';
import { applyServerHeapSettings } from './heap-settings.ts';
import { serveStats } from './stats-http.ts';

/**
 * Runs a server as a process. Resolves once it serves (shutdown ends the process); throws
 * UsageError for a bad command line.
 */
export async function runServer(spec: ServerSpec, start: StartServer, argv = process.argv.slice(2)): Promise<void> {
  const parsed = parseServerArgs(spec, argv);
  if (!parsed) return;
  if (!spec.transports.includes(parsed.transport)) {
    throw new UsageError(
      `--transport ${parsed.transport} is not served here; choose one of: ${spec.transports.join(', ')}`,
    );
  }

  applyServerHeapSettings();
  let options = parsed;
  let server: RunningServer;
  try {
    options = await withTlsMaterial(parsed);
    server = await start(options);
  } catch (err) {
    // An engine built without TLS is a bad command line for this machine: exit 2, serve nothing.
    if (isC1mError(err, 'C1M_TLS_UNSUPPORTED')) throw new UsageError(err.message, 'C1M_TLS_UNSUPPORTED');
    throw err;
  }
  const stats = await serveStats(options.host, options.statsPort, () => server.stats());
  printLine(readyLine(spec, options, server, stats.port, readFdLimit().soft));

  const shutdown = async (signal: string) => {
    const final = await server.stats().catch(() => undefined);
    const deadline = options.drainTimeoutMs;
    const backstop = new Promise<{ forced: boolean }>((resolve) =>
      setTimeout(() => resolve({ forced: true }), deadline + 2000).unref(),
    );
    const { forced } = await Promise.race([server.close(deadline), backstop]);
    stats.server.close();
    stats.server.closeAllConnections();
    const after = await server.stats().catch(() => final);
    printLine(closedLine(signal, forced, after));
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

/** The entry point body for src/main.ts: runs the server under the one top-level catch (@c1m/cli's runCli). */
export function main(spec: ServerSpec, start: StartServer): void {
  runCli(spec.name, () => runServer(spec, start));
}
