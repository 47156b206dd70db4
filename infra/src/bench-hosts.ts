// CLI `pnpm bench:hosts`: the Kubernetes path of infra/k8s simulated on this machine. H load
// hosts and a server host are network namespaces with their own addresses on a private bridge;
// the server pod and one load-Job pod per host run exactly as infra/k8s would start them (same
// args, env, entrypoint, result in the log), the logs are merged, and summary.md says how the
// hosts' results add up. Echo and hold cases. Namespaces are removed on success, failure and Ctrl-C.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FlagTable, formatHelp, parseFlags, runCli, UsageError } from '@c1m/cli';
import { namespacesUnavailable } from './c1m/netns.ts';
import { preforkWorkers } from './c1m/plan.ts';
import { HOSTS_SUBNET, SimNetwork } from './hosts/network.ts';
import { killSlices, runHostsCase, type HostsCaseOutcome } from './hosts/run-case.ts';
import { renderHostsSummary } from './hosts/summary-md.ts';
import { parseList } from './lib/cli.ts';
import { repoRoot, resultsRoot } from './lib/paths.ts';
import { detectLimits } from './matrix/limits.ts';
import { formatDuration } from './report/format.ts';
import { newRunId } from './run/run-dir.ts';
import { stopAll } from './run/processes.ts';

interface HostsOptions {
  hosts: number;
  connectionsPerHost: number;
  echoConnectionsPerHost: number;
  cases: string;
  holdMs: number;
  echoMs: number;
  pingIntervalMs: number;
  connectRate: number;
  server: string;
  transport: 'ws' | 'tcp';
  workers: number;
  leadMs: number;
  runId: string;
}

const CASES = ['hold', 'echo'] as const;

const TABLE: FlagTable<HostsOptions> = {
  hosts: {
    flag: 'hosts',
    kind: 'int',
    min: 1,
    max: 64,
    default: 4,
    help: "Simulated load hosts (the Job's completions); the server gets a host of its own",
  },
  connectionsPerHost: {
    flag: 'connections-per-host',
    kind: 'int',
    min: 1,
    max: 18_000,
    default: 18_000,
    help: 'hold: connections each load host holds (one slice process each, under its descriptor limit)',
  },
  echoConnectionsPerHost: {
    flag: 'echo-connections-per-host',
    kind: 'int',
    min: 1,
    max: 18_000,
    default: 500,
    help: 'echo: connections each load host runs closed-loop echo on',
  },
  cases: { flag: 'cases', kind: 'string', default: CASES.join(','), help: `Cases to run: ${CASES.join(', ')}` },
  holdMs: {
    flag: 'hold',
    kind: 'duration',
    min: 1000,
    default: 30_000,
    help: 'hold: how long the connections are held',
  },
  echoMs: { flag: 'echo-duration', kind: 'duration', min: 500, default: 5000, help: 'echo: measured time' },
  pingIntervalMs: {
    flag: 'ping-interval',
    kind: 'duration',
    min: 100,
    default: 10_000,
    help: 'hold: each connection answers a ping once per interval',
  },
  connectRate: {
    flag: 'connect-rate',
    kind: 'int',
    min: 1,
    default: 5000,
    help: 'New connections per second over all hosts (each slice takes its share)',
  },
  server: { flag: 'server', kind: 'string', default: 'prefork', help: 'Server package under servers/ (built)' },
  transport: { flag: 'transport', kind: 'choice', choices: ['ws', 'tcp'], default: 'ws', help: 'Wire transport' },
  workers: {
    flag: 'workers',
    kind: 'int',
    min: 0,
    default: 0,
    help:
      'Server workers (prefork processes); 0 = enough that each stays at 90% of its descriptor budget for ' +
      'the largest case (as bench:c1m)',
  },
  leadMs: {
    flag: 'lead',
    kind: 'duration',
    min: 500,
    default: 3000,
    help: 'Start barrier this long after the server is ready (every slice must have forked its shard by then)',
  },
  runId: {
    flag: 'run-id',
    kind: 'string',
    default: '',
    help: 'Name of results/<run-id>/ and of the namespaces (c1mh-<run-id>-…)',
  },
};

const say = (line: string) => process.stderr.write(`${line}\n`);

runCli('bench:hosts', async () => {
  const { options, help } = parseFlags(TABLE, process.argv.slice(2));
  if (help) {
    process.stdout.write(
      `${formatHelp(
        'Usage: pnpm bench:hosts [options]',
        'Simulates infra/k8s on network namespaces: a server host and H load hosts, merged exactly.',
        TABLE,
      )}\n`,
    );
    return 0;
  }
  const cases = parseList('cases', options.cases, CASES);
  if (!existsSync(join(repoRoot, 'servers', options.server, 'dist', 'main.js'))) {
    throw new UsageError(
      `--server ${options.server}: no servers/${options.server}/dist/main.js (build first: pnpm build)`,
    );
  }
  const unavailable = namespacesUnavailable();
  if (unavailable !== undefined)
    throw new UsageError(`C1M_HOSTS_UNAVAILABLE: bench:hosts needs network namespaces: ${unavailable}`);
  const largest =
    Math.max(...cases.map((c) => (c === 'hold' ? options.connectionsPerHost : options.echoConnectionsPerHost))) *
    options.hosts;
  const workers = preforkWorkers({
    connections: largest,
    workers: options.workers,
    perProcessBudget: detectLimits().perProcessConnections,
  });
  const runId = options.runId || newRunId('hosts');
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(runId))
    throw new UsageError(`--run-id "${runId}": letters, digits, . _ - only, at most 40`);
  const dir = join(resultsRoot, runId);
  mkdirSync(dir, { recursive: true });

  const net = SimNetwork.create(runId, options.hosts, { 'c1m-server': `${HOSTS_SUBNET}.2` });
  let interrupted = false;
  const teardown = () => {
    killSlices();
    return stopAll(2000).finally(() => net.destroy());
  };
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('\ninterrupted: stopping every process of the run and removing its namespaces…');
    void teardown().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const outcomes: HostsCaseOutcome[] = [];
  try {
    say(`hosts: ${net.hosts.map((h) => `${h.hostname} ${h.address}`).join(', ')}`);
    for (const name of cases) {
      const perHost = name === 'hold' ? options.connectionsPerHost : options.echoConnectionsPerHost;
      const durationMs = name === 'hold' ? options.holdMs : options.echoMs;
      const total = perHost * options.hosts;
      const values = {
        C1M_SCENARIO: name,
        C1M_TARGET: `${options.transport}://c1m-server:9000${options.transport === 'ws' ? '/' : ''}`,
        C1M_CONNECTIONS: String(total),
        C1M_CONNECT_RATE: String(options.connectRate),
        C1M_DURATION: `${durationMs}ms`,
        C1M_PING_INTERVAL: `${options.pingIntervalMs}ms`,
        C1M_SERVER: options.server,
        C1M_SERVER_TRANSPORT: options.transport,
        C1M_SERVER_WORKERS: String(workers),
      };
      const caseDir = join(dir, name);
      mkdirSync(caseDir, { recursive: true });
      say(
        `[${name}] ${options.hosts} hosts × ${perHost.toLocaleString('en-US')} connections ` +
          `→ ${options.server} ${options.transport} (${workers} workers)`,
      );
      // Bounded: the barrier, the ramp at the connect rate, the load, a ping interval of grace, a minute of margin.
      const timeoutMs =
        options.leadMs + (total / options.connectRate) * 1000 + durationMs + options.pingIntervalMs + 60_000;
      const t0 = performance.now();
      const outcome = await runHostsCase(net, name, values, caseDir, options.leadMs, timeoutMs);
      outcomes.push(outcome);
      const m = outcome.merged;
      say(
        `[${name}] ${
          m
            ? `${m.passed ? 'passed' : 'FAILED'}: ${m.connections.established.toLocaleString('en-US')} established, ` +
              `${m.messages.received.toLocaleString('en-US')} replies, ${m.messages.missing} missing`
            : `not merged: ${outcome.mergeOutput.trim().split('\n').pop()}`
        } in ${formatDuration((performance.now() - t0) / 1000)}`,
      );
      if (interrupted) break;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) await teardown();
  }
  const summary = renderHostsSummary(
    { hosts: options.hosts, server: options.server, transport: options.transport, workers, subnet: HOSTS_SUBNET },
    outcomes,
  );
  writeFileSync(join(dir, 'summary.md'), `${summary}\n`);
  say(`summary: ${join(dir, 'summary.md')}`);
  return outcomes.every((o) => o.merged?.passed === true && o.slices.every((s) => s.code === 0)) ? 0 : 1;
});
