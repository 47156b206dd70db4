// CLI `pnpm bench:c1m`: one million concurrent WebSocket connections to servers/prefork from the
// sharded load generator on this machine, held with a ping round trip per connection per
// interval; the same over TCP when memory allows; and the single-process architectures at their
// descriptor ceiling. Tunes the machine first, guards memory, writes results/<run-id>/.
import { type FlagTable, formatHelp, parseFlags, UsageError, runCli } from '@c1m/cli';
import { captureEnv } from '@c1m/results';
import { buildBaseline } from './baseline/build.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { c1mFigures, type C1mFigures } from './c1m/figures.ts';
import { cpuLimitVerdict, heldLine, pingCostLine } from './c1m/case-lines.ts';
import { KernelMemoryWatch, readKernelMemory } from './c1m/kernel-memory.ts';
import {
  ehashEntriesFor,
  hostPlacement,
  NETNS_CHILD_ENV,
  isPerNamespaceSysctl,
  netnsUnavailable,
  prepareOwnNetns,
  rerunInOwnNetns,
  type NetworkPlacement,
} from './c1m/netns.ts';
import { CEILING_SERVERS, holdCase, preforkWorkers, type C1mSettings } from './c1m/plan.ts';
import { renderC1mSummary } from './c1m/summary-md.ts';
import { decideTcpMillion } from './c1m/tcp-million.ts';
import { parseList } from './lib/cli.ts';
import { resultsRoot, tuneSavedFile } from './lib/paths.ts';
import { detectLimits, limitsRecord } from './matrix/limits.ts';
import { PROFILES, type Profile } from './matrix/profiles.ts';
import { BASELINE_SERVER, type CaseResult, type CaseSpec, type RunInfo } from './model/case-result.ts';
import { formatDuration, formatGib } from './report/format.ts';
import { runCase } from './run/case.ts';
import { cpuCount, pinningUnavailable, splitCpus } from './run/cpu-pinning.ts';
import { stopAll } from './run/processes.ts';
import { newRunId, RunDir } from './run/run-dir.ts';
import { applyRows, renderOutcomes } from './tune/apply.ts';
import { assess } from './tune/assess.ts';
import { readMachine } from './tune/machine.ts';
import { renderAssessment } from './tune/render.ts';

interface C1mOptions {
  connections: number;
  holdMs: number;
  pingIntervalMs: number;
  connectRate: number;
  pingKind: 'echo' | 'ws-ping';
  workers: number;
  transports: string;
  metal: boolean;
  ceilings: string;
  tune: 'apply' | 'check';
  minHeadroomBytes: number;
  netns: 'own' | 'host';
  pin: 'split' | 'none';
  runId: string;
}

const FLAGS: FlagTable<C1mOptions> = {
  connections: {
    flag: 'connections',
    kind: 'int',
    min: 1,
    default: 1_000_000,
    help: 'Connections to hold against prefork',
  },
  holdMs: {
    flag: 'hold',
    kind: 'duration',
    min: 1000,
    default: 120_000,
    help: 'How long every case holds its connections',
  },
  pingIntervalMs: {
    flag: 'ping-interval',
    kind: 'duration',
    min: 100,
    default: 30_000,
    help: 'Each connection proves itself alive with a round trip once per interval',
  },
  connectRate: {
    flag: 'connect-rate',
    kind: 'int',
    min: 1,
    default: 5000,
    help: 'New connections per second over all load-generator shards',
  },
  pingKind: {
    flag: 'ping-kind',
    kind: 'choice',
    choices: ['echo', 'ws-ping'],
    default: 'echo',
    help:
      'ws cases: prove each connection alive with an echo message (through the application) or a WebSocket ' +
      'ping (answered by the engine); tcp always echoes',
  },
  workers: {
    flag: 'workers',
    kind: 'int',
    min: 0,
    default: 0,
    help: 'prefork processes; 0 = enough that each stays at 90% of its descriptor budget',
  },
  transports: {
    flag: 'transports',
    kind: 'string',
    default: 'ws,tcp',
    help: 'Transports of the prefork million (tcp runs only when the memory measured over ws says it fits)',
  },
  metal: {
    flag: 'metal',
    kind: 'boolean',
    default: false,
    help:
      'Also hold the connections over tcp against the C epoll echo server with as many processes as prefork ' +
      '(the metal): what a ping costs the kernel alone, beside what it costs node:net and uWS',
  },
  ceilings: {
    flag: 'ceilings',
    kind: 'string',
    default: CEILING_SERVERS.map((c) => c.server).join(','),
    help: 'Single-process servers to hold at their descriptor ceiling, or "none"',
  },
  tune: {
    flag: 'tune',
    kind: 'choice',
    choices: ['apply', 'check'],
    default: 'apply',
    help: 'apply: raise the sysctls the run needs (saved for pnpm tune --restore); check: only report',
  },
  minHeadroomBytes: {
    flag: 'min-headroom',
    kind: 'bytes',
    min: 0,
    default: 2 * 1024 ** 3,
    help: 'A transport is skipped when its predicted memory would leave less than this available',
  },
  netns: {
    flag: 'netns',
    kind: 'choice',
    choices: ['own', 'host'],
    default: 'own',
    help:
      'own: the connections live in a fresh network namespace with an established hash sized for them ' +
      '(needs root, unshare and ip; otherwise the host namespace, with the reason in the results); host: the ' +
      'host namespace',
  },
  pin: {
    flag: 'pin',
    kind: 'choice',
    choices: ['split', 'none'],
    default: 'split',
    help:
      'split: servers on the upper half of the CPUs, the load generator on the lower half (taskset); none: ' +
      'wherever the scheduler puts them',
  },
  runId: { flag: 'run-id', kind: 'string', default: '', help: 'Name of results/<run-id>/' },
};
const USAGE =
  'pnpm bench:c1m [--connections N] [--hold 2m] [--ping-interval 30s] [--connect-rate R] [--transports ws,tcp] ' +
  '[--metal] [--ceilings a,b|none]';

const say = (line: string) => process.stderr.write(`${line}\n`);
/** How often a case prints the sockets it has open and the memory left. */
const PROGRESS_EVERY_MS = 15_000;

/** The host's verdicts and what was written, as tune.json records them. */
interface TuneRecord {
  assessment: ReturnType<typeof assess>;
  applied: ReturnType<typeof applyRows>;
}

/** What the host namespace hands down to the run re-started in its own. */
interface FromHost {
  tune: TuneRecord;
  hostEhashEntries: number;
}

runCli('bench:c1m', async () => {
  const { options, positionals, help } = parseFlags(FLAGS, process.argv.slice(2));
  if (help) {
    process.stdout.write(
      `${formatHelp(USAGE, 'Holds a million connections on this machine and measures what they cost.', FLAGS)}\n`,
    );
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; usage: ${USAGE}`);
  const transports = parseList('transports', options.transports, ['ws', 'tcp']) as Array<'ws' | 'tcp'>;
  const ceilings =
    options.ceilings === 'none'
      ? []
      : parseList(
          'ceilings',
          options.ceilings,
          CEILING_SERVERS.map((c) => c.server),
        );

  // 1. The machine: check, raise what may be raised, say what cannot (in the host namespace; a
  // run re-started inside its own namespace gets the host's verdicts passed down).
  const inherited = process.env[NETNS_CHILD_ENV];
  let tuneRecord: TuneRecord;
  let placement: NetworkPlacement;
  let hostEhashEntries: number;
  if (inherited === undefined) {
    const assessment = assess(readMachine(), options.connections);
    say(renderAssessment(assessment));
    // 2. Where the connections live. In a namespace of their own, the host keeps its own copies
    // of the per-namespace sysctls: only what all namespaces share is raised here.
    const why = options.netns === 'host' ? '--netns host' : netnsUnavailable();
    const hostRows = why === undefined ? assessment.rows.filter((r) => !isPerNamespaceSysctl(r.name)) : assessment.rows;
    const applied = options.tune === 'apply' ? applyRows(hostRows, tuneSavedFile) : [];
    if (applied.length > 0) say(`applied (previous values saved for pnpm tune --restore):\n${renderOutcomes(applied)}`);
    tuneRecord = { assessment, applied };
    hostEhashEntries = hostPlacement('').ehashEntries;
    if (why === undefined) {
      const buckets = ehashEntriesFor(2 * options.connections);
      say(
        `\nrunning in a network namespace of its own (established hash: ${buckets.toLocaleString('en-US')} buckets)…`,
      );
      return rerunInOwnNetns(buckets, JSON.stringify({ tune: tuneRecord, hostEhashEntries } satisfies FromHost));
    }
    placement = hostPlacement(why);
    say(`\nrunning in the host network namespace: ${why}`);
  } else {
    ({ tune: tuneRecord, hostEhashEntries } = JSON.parse(inherited) as FromHost);
    // Its own copies of the per-namespace sysctls start at the kernel's defaults: raise them
    // here as the host's assessment asks (they go away with the namespace).
    const prepared = prepareOwnNetns(assess(readMachine(), options.connections).rows);
    placement = prepared.placement;
    if (prepared.set.length > 0) say(`  in the namespace:\n${prepared.set.map((l) => `  ${l}`).join('\n')}`);
  }

  const limits = detectLimits();
  const settings: C1mSettings = {
    connections: options.connections,
    holdSeconds: options.holdMs / 1000,
    pingIntervalSeconds: options.pingIntervalMs / 1000,
    connectRate: options.connectRate,
    pingKind: options.pingKind,
    workers: options.workers,
    perProcessBudget: limits.perProcessConnections,
  };
  const workers = preforkWorkers(settings);
  const profile: Profile = {
    ...PROFILES.default,
    connectRate: options.connectRate,
    readyTimeoutSeconds: 180,
    drainTimeoutSeconds: 30,
    sampleIntervalMs: 2000,
    timeWaitMaxSeconds: 90,
  };
  const pinWhyNot = options.pin === 'none' ? '--pin none' : pinningUnavailable();
  const pinning = pinWhyNot === undefined ? splitCpus() : undefined;
  const runId = options.runId || newRunId('c1m');
  const dir = new RunDir(join(resultsRoot, runId));
  const env = captureEnv();
  dir.writeEnv({
    ...env,
    limits: limitsRecord(limits),
  });
  writeFileSync(join(dir.dir, 'tune.json'), `${JSON.stringify(tuneRecord, null, 2)}\n`);

  const notes = [
    `prefork runs ${workers} processes for ${options.connections.toLocaleString('en-US')} connections (each at ` +
      `most ${limits.perProcessConnections.toLocaleString('en-US')}: ` +
      `RLIMIT_NOFILE ${limits.fdSoft}/${limits.fdHard} minus the contract's reserve).`,
    `ramp at ${options.connectRate.toLocaleString('en-US')} connections/s; ` +
      `hold ${formatDuration(settings.holdSeconds)}; a ${
        options.pingKind === 'ws-ping' ? 'WebSocket ping/pong (ws) or echo (tcp)' : 'echo'
      } round trip per connection every ${settings.pingIntervalSeconds}s; the load generator stops its ramp ` +
      `while MemAvailable is under 1 GiB.`,
    placement.namespace === 'own'
      ? `connections live in a network namespace of their own, whose established hash ` +
        `has ${placement.ehashEntries.toLocaleString('en-US')} buckets (the ` +
        `host's: ${hostEhashEntries.toLocaleString('en-US')}), so a segment's socket is found without walking a chain.`
      : `connections live in the host network namespace (${placement.why}); its established hash ` +
        `has ${placement.ehashEntries.toLocaleString('en-US')} buckets.`,
    pinning
      ? `servers run on CPU ${pinning.server} and the load generator on CPU ${pinning.load} (taskset), so ` +
        `neither side's wake-ups move the other's processes between CPUs.`
      : `servers and load generator share every CPU (${pinWhyNot}).`,
    ...tuneRecord.assessment.rows
      .filter((r) => r.verdict === 'cannot')
      .map((r) => `cannot change ${r.name}: ${r.note ?? ''}`.trim()),
  ];
  const ceilingCases: CaseSpec[] = CEILING_SERVERS.filter((c) => ceilings.includes(c.server)).flatMap((c) =>
    // Asked for the full target: runCase caps each at the ceiling its ready line states.
    c.transports.map((t) => holdCase(settings, c.server, t, options.connections)),
  );
  const millionCase = (t: 'ws' | 'tcp') => holdCase(settings, 'prefork', t, options.connections, workers);
  // The metal: the C epoll server in as many processes as prefork, so its per-ping cost is the kernel's.
  const metal = options.metal ? await buildBaseline() : undefined;
  if (metal && !metal.ok) notes.push(`the metal was not run: ${metal.reason}`);
  const run: RunInfo = {
    schemaVersion: 1,
    runId,
    profile: 'c1m',
    argv: process.argv.slice(2),
    startedAt: new Date().toISOString(),
    repeat: 1,
    notes,
    cases: [],
  };

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    say('\ninterrupted: stopping every process this run started…');
    void stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const figures: C1mFigures[] = [];
  const t0 = performance.now();
  const serverPorts = new Set<number>();
  const planned = 1 + ceilingCases.length + (transports.includes('tcp') ? 1 : 0) + (metal?.ok ? 1 : 0);
  let k = 0;
  const runOne = async (spec: CaseSpec, atCeiling = false): Promise<C1mFigures> => {
    k++;
    const size = atCeiling ? 'at its descriptor ceiling' : `${spec.connections.toLocaleString('en-US')} connections`;
    say(`\n[${k}/${planned}] ${spec.key}: ${size}, elapsed ${formatDuration((performance.now() - t0) / 1000)}`);
    const watch = new KernelMemoryWatch(2000);
    const caseStart = performance.now();
    const progress = setInterval(() => {
      const r = watch.latest();
      say(
        `    ${formatDuration((performance.now() - caseStart) / 1000)}: ${r.tcpInuse.toLocaleString('en-US')} ` +
          `TCP sockets open (both ends), MemAvailable ${formatGib(r.memAvailableBytes)}`,
      );
    }, PROGRESS_EVERY_MS);
    const result: CaseResult = await runCase(spec, {
      runId,
      runDir: dir.dir,
      profile,
      stealThresholdPercent: 10,
      serverPorts,
      pinning,
      ...(metal?.ok ? { baseline: metal } : {}),
    });
    clearInterval(progress);
    const readings = watch.stop();
    if (interrupted) result.failures.push('interrupted');
    const f = c1mFigures(result, readings);
    dir.writeCase(result);
    mkdirSync(join(dir.dir, 'kernel'), { recursive: true });
    writeFileSync(join(dir.dir, 'kernel', `${spec.id}.json`), `${JSON.stringify(readings)}\n`);
    run.cases.push({ id: spec.id, key: spec.key, status: result.status, file: `cases/${spec.id}.json` });
    dir.writeRun(run);
    figures.push(f);
    say(heldLine(f));
    const cost = f.pingCostWhileFull;
    if (cost) {
      say(pingCostLine(cost));
      const verdict =
        pinning &&
        cpuLimitVerdict(spec.key, cost, f.heldConnections / settings.pingIntervalSeconds, {
          server: cpuCount(pinning.server),
          load: cpuCount(pinning.load),
        });
      if (verdict) {
        notes.push(verdict);
        say(`    CPU limit: ${verdict}`);
      }
    }
    return f;
  };

  // Ceilings first: cheap, and conn-per-socket tcp measures what a node:net connection costs,
  // which decides whether the tcp million fits.
  for (const spec of ceilingCases) if (!interrupted) await runOne(spec, true);
  const ws = transports.includes('ws') && !interrupted ? await runOne(millionCase('ws')) : undefined;
  if (transports.includes('tcp') && !interrupted) {
    const tcpCeiling = figures.find((f) => f.server === 'conn-per-socket' && f.transport === 'tcp');
    const decision = decideTcpMillion(
      ws,
      tcpCeiling,
      options.connections,
      readKernelMemory().memAvailableBytes,
      options.minHeadroomBytes,
    );
    notes.push(decision.note);
    if (!decision.run) say(`\n${decision.note}`);
    else await runOne(millionCase('tcp'));
  }
  if (metal?.ok && !interrupted) {
    notes.push(
      `the metal (${BASELINE_SERVER}): the C epoll echo server in ${workers} processes, held over tcp like prefork; ` +
        "the load generator's ramp guard bounds its memory",
    );
    await runOne(holdCase(settings, BASELINE_SERVER, 'tcp', options.connections, workers));
  }

  run.finishedAt = new Date().toISOString();
  run.wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  run.interrupted = interrupted || undefined;
  dir.writeRun(run);
  writeFileSync(
    join(dir.dir, 'c1m.json'),
    `${JSON.stringify(
      {
        runId,
        env,
        network: placement,
        pinning: pinning ?? { none: pinWhyNot },
        settings: { ...settings, workers },
        notes,
        figures,
      },
      null,
      2,
    )}\n`,
  );
  const summaryPath = join(dir.dir, 'c1m-summary.md');
  writeFileSync(
    summaryPath,
    renderC1mSummary(
      runId,
      figures,
      {
        fdHard: limits.fdHard,
        perProcessBudget: limits.perProcessConnections,
        memTotalBytes: env.memoryBytes,
        cores: availableParallelism(),
      },
      notes,
      settings.pingIntervalSeconds,
    ),
  );
  const { report } = dir.writeReports();
  say(
    `\nbench:c1m ${interrupted ? 'interrupted' : 'done'} in ${formatDuration(run.wallSeconds)}:` +
      `\n  ${summaryPath}\n  ${report}`,
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return interrupted ? 130 : figures.every((f) => f.passed) ? 0 : 1;
});
