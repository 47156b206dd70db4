// Runs one case of the matrix end to end: wait out TIME_WAIT, start the server and await its
// ready line, sample it idle, run the load while sampling every interval, sample again, stop the
// server with SIGTERM and check its exit. Any failure is recorded in the result, never thrown.
import { join } from 'node:path';
import type { BaselineBuild } from '../baseline/build.ts';
import type { CaseResult, CaseSample, CaseSpec } from '../model/case-result.ts';
import type { Profile } from '../matrix/profiles.ts';
import { baselineClientCommand, driverCommand, loadTimeoutSeconds, type LoadOutcome, startLoad } from './driver.ts';
import { REFERENCE_SCENARIO } from '../model/http-scenarios.ts';
import { targetScheme } from '../matrix/tls-cases.ts';
import { runAutocannon } from './autocannon.ts';
import { type CpuPinning, pinned } from './cpu-pinning.ts';
import type { Tracked } from './processes.ts';
import { Sampler } from './sampler.ts';
import { type RunningServer, serverCommand, startServer, stopServer } from './server.ts';
import { readTimeWaitOnPorts, waitForTimeWait } from './time-wait.ts';

/** What every case of a run shares. */
export interface CaseContext {
  runId: string;
  runDir: string;
  profile: Profile;
  baseline?: Extract<BaselineBuild, { ok: true }>;
  stealThresholdPercent: number;
  /** Ports of the servers this run started so far (their TIME_WAIT is this run's). */
  serverPorts: Set<number>;
  /** Server and load generator each on CPUs of their own (taskset). */
  pinning?: CpuPinning;
}

const TAIL = 2000;
const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function loadFailures(outcome: LoadOutcome, timeoutSeconds: number): string[] {
  const out: string[] = [];
  if (outcome.timedOut) out.push(`load did not finish within ${timeoutSeconds}s and was stopped`);
  if (outcome.parseError) out.push(`load output unreadable: ${outcome.parseError}`);
  const reported = outcome.driver ?? outcome.baselineClient;
  if (!reported)
    out.push(
      `load wrote no result (exit ${outcome.signal ?? outcome.code}): ` +
        `${outcome.tracked.stderrTail().trim().slice(-600)}`,
    );
  if (outcome.driver && !outcome.driver.passed) out.push(...outcome.driver.failures.map((f) => `driver: ${f}`));
  if (outcome.code !== 0 && !outcome.timedOut && reported && outcome.driver?.passed !== false) {
    out.push(`load exited ${outcome.signal ?? outcome.code}: ${outcome.tracked.stderrTail().trim().slice(-600)}`);
  }
  return out;
}

function steal(samples: CaseSample[], thresholdPercent: number): CaseResult['steal'] {
  const values = samples.map((s) => s.stealPercent);
  const mean = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  return {
    meanPercent: round(mean, 1),
    maxPercent: round(Math.max(0, ...values), 1),
    thresholdPercent,
    flagged: mean >= thresholdPercent,
  };
}

/** Runs one case; always resolves with its result. */
export async function runCase(planned: CaseSpec, ctx: CaseContext): Promise<CaseResult> {
  const spec: CaseSpec = { ...planned, caps: [...planned.caps] };
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const failures: string[] = [];
  const threshold = ctx.profile.timeWaitThreshold;
  const timeWait = await waitForTimeWait(threshold, ctx.profile.timeWaitMaxSeconds, () =>
    readTimeWaitOnPorts(ctx.serverPorts),
  );
  const command = pinned(
    serverCommand(spec, ctx.profile.drainTimeoutSeconds, ctx.baseline?.server),
    ctx.pinning?.server,
  );
  const result: CaseResult = {
    schemaVersion: 1,
    runId: ctx.runId,
    case: spec,
    status: 'failed',
    failures,
    startedAt,
    finishedAt: startedAt,
    wallSeconds: 0,
    timeWait,
    server: { command, exitCode: null, signal: null, cleanExit: false, stopSeconds: 0, stderrTail: '' },
    load: {
      seconds: 0,
      serverCpuSeconds: 0,
      serverRssBytesIdle: 0,
      serverRssBytesPeak: 0,
      driverCpuSeconds: 0,
      driverRssBytesPeak: 0,
    },
    samples: [],
    steal: { meanPercent: 0, maxPercent: 0, thresholdPercent: ctx.stealThresholdPercent, flagged: false },
  };
  const finish = () => {
    result.finishedAt = new Date().toISOString();
    result.wallSeconds = round((performance.now() - t0) / 1000, 1);
    result.status = failures.length === 0 ? 'passed' : 'failed';
    return result;
  };

  let server: RunningServer;
  try {
    server = await startServer(command, spec, ctx.profile.readyTimeoutSeconds * 1000);
  } catch (err) {
    failures.push(`server did not start: ${(err as Error).message}`);
    return finish();
  }
  result.server.ready = server.ready;
  ctx.serverPorts.add(server.ready.port);
  const max = server.ready.maxConnections;
  if (spec.scenario === 'hold' && typeof max === 'number' && spec.connections > max) {
    spec.caps.push(
      `hold capped at ${max.toLocaleString('en-US')} (planned ${spec.connections.toLocaleString('en-US')}): the ` +
        `server's ready line says its process model holds no more here`,
    );
    spec.connections = max;
  }

  let load: Tracked | undefined;
  const sampler = new Sampler(
    { serverPid: server.tracked.pid, driverPid: () => load?.pid, stats: server.stats },
    ctx.profile.sampleIntervalMs,
    t0,
  );
  try {
    const idle = await sampler.sampleNow();
    result.server.statsBefore = idle.stats;
    const target = `${targetScheme(spec)}://127.0.0.1:${server.ready.port}${spec.transport === 'tcp' ? '' : '/'}`;
    const jsonFile = join(ctx.runDir, 'driver', `${spec.id}.json`);
    const timeout = loadTimeoutSeconds(spec, ctx.profile.connectRate);
    const loadCommand = pinned(
      spec.scenario === 'c-pair'
        ? baselineClientCommand(spec, ctx.baseline!.client, server.ready.port)
        : driverCommand(spec, target, jsonFile, ctx.profile.connectRate),
      ctx.pinning?.load,
    );
    const started = startLoad(loadCommand, timeout, spec.scenario === 'c-pair' ? undefined : jsonFile);
    load = started.tracked;
    sampler.start();
    const outcome = await started.done;
    await sampler.stop();
    const final = await sampler.sampleNow();
    result.server.statsAfter = final.stats;
    result.driver = outcome.driver;
    result.baselineClient = outcome.baselineClient;
    result.driverProcess = {
      command: loadCommand,
      exitCode: outcome.code,
      signal: outcome.signal,
      stderrTail: outcome.tracked.stderrTail().slice(-TAIL),
    };
    failures.push(...loadFailures(outcome, timeout));
    if (server.tracked.hasExited()) failures.push('server exited during the load');
    if (spec.scenario === REFERENCE_SCENARIO && !server.tracked.hasExited()) {
      // After the samples, so the case's server figures are c1m's load alone.
      result.reference = await runAutocannon(spec, server.ready.port, outcome.driver, (c) =>
        pinned(c, ctx.pinning?.load),
      );
    }

    const during = sampler.samples.slice(1);
    const driverSamples = sampler.samples.filter((s) => s.driver);
    result.load = {
      seconds: round(final.atSeconds - idle.atSeconds),
      serverCpuSeconds: round(final.server.cpuSeconds - idle.server.cpuSeconds),
      serverRssBytesIdle: idle.server.rssBytes,
      serverRssBytesPeak: Math.max(...sampler.samples.map((s) => s.server.rssBytes)),
      driverCpuSeconds:
        outcome.driver?.driver.cpuSeconds ??
        outcome.baselineClient?.cpuSeconds ??
        Math.max(0, ...driverSamples.map((s) => s.driver!.cpuSeconds)),
      driverRssBytesPeak:
        outcome.driver?.driver.rssBytesPeak ??
        outcome.baselineClient?.rssBytesPeak ??
        Math.max(0, ...driverSamples.map((s) => s.driver!.rssBytes)),
    };
    result.steal = steal(during, ctx.stealThresholdPercent);
  } catch (err) {
    failures.push(`case aborted: ${(err as Error).message}`);
    await sampler.stop();
  }
  result.samples = sampler.samples;

  const stop = await stopServer(server, ctx.profile.drainTimeoutSeconds);
  result.server.closed = server.closedLine();
  result.server.exitCode = stop.code;
  result.server.signal = stop.signal;
  result.server.stopSeconds = round(stop.seconds);
  result.server.cleanExit = stop.code === 0 && !stop.killed && stop.leftBehind === 0;
  result.server.stderrTail = server.tracked.stderrTail().slice(-TAIL);
  if (!result.server.cleanExit) {
    const how = stop.killed
      ? `still running ${round(stop.seconds, 1)}s after SIGTERM, killed`
      : `exit ${stop.signal ?? stop.code}`;
    failures.push(
      `server did not stop cleanly: ${how}${
        stop.leftBehind > 0 ? `, ${stop.leftBehind} process(es) left behind and killed` : ''
      }`,
    );
  }
  return finish();
}
