// The files bench:all writes under results/<run-id>/: one CaseResult per case (cases/*.json),
// run.json (the plan and how each case went) and env.json. Tables, the report and compare
// read only these shapes.
import type { ProcessTreeSample } from '@c1m/results';
import type { ClosedLine, DriverResult, EnvInfo, ReadyLine, ServerStats } from '@c1m/schema';
import { HTTP_SCENARIOS, type ReferenceLoad } from './http-scenarios.ts';

/** Scenario ids of the matrix. `c-pair` is the C client against the C server. */
export const SCENARIOS = [
  'hold',
  'echo-100',
  'echo-10k',
  'cpu',
  'io',
  'short',
  'c-pair',
  ...HTTP_SCENARIOS,
  'tls-hold',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

/** Name of the C baseline server in results. */
export const BASELINE_SERVER = 'baseline-c';

/** One case of the matrix: what was run, with which parameters. */
export interface CaseSpec {
  /** Unique within a run, also the file name: "007-echo-100-single-loop-ws". */
  id: string;
  /** Identity across runs (compare pairs cases by it): "echo-100 single-loop ws". */
  key: string;
  scenario: ScenarioId;
  /** servers/<dir> name, or baseline-c. */
  server: string;
  transport: 'tcp' | 'ws' | 'http';
  style?: string;
  workload: 'echo' | 'cpu' | 'io' | 'static' | 'aes' | 'sleep';
  /** http cases: the body size, the sleep, and whether the client keeps connections alive. */
  http?: { bodySize: number; sleepMs?: number; keepAlive: boolean };
  /** The server runs with --tls and the driver connects inside TLS (tls://, wss://). */
  tls?: boolean;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Payload bytes per message (the driver's --size). */
  sizeBytes: number;
  pipeline?: number;
  /** --workers given to a multi-process server. */
  workers?: number;
  /** short: connect/send/receive/close rounds. */
  loops?: number;
  /** hold: seconds between proof-of-life round trips. */
  pingIntervalSeconds?: number;
  /** hold over ws: how connections prove themselves alive (the driver's --ping-kind); echo when absent. */
  pingKind?: 'echo' | 'ws-ping';
  /** 1-based round of the matrix (bench:all --repeat). */
  repetition: number;
  /** A baseline case placed between others so that ratios compare measurements close in time. */
  bracket?: boolean;
  /** What was capped and why ("connections 19,000: descriptor limit of one process"). */
  caps: string[];
}

/** The C client's JSON line (infra/baseline/echo-client.c). */
export interface BaselineClientResult {
  tool: 'c1m-baseline-client';
  connections: number;
  bodyBytes: number;
  pipeline: number;
  warmupSeconds: number;
  durationSeconds: number;
  connectSeconds: number;
  messages: number;
  messagesPerSecond: number;
  latencyMeanUs: number;
  latencyP50Us: number;
  latencyP90Us: number;
  latencyP99Us: number;
  latencyP999Us: number;
  latencyMaxUs: number;
  mismatches: number;
  errors: number;
  unfinished: number;
  cpuSeconds: number;
  rssBytesPeak: number;
}

/**
 * A server's counters as a case records them: a Node server's GET /stats whole, or what the C
 * baseline's stats line gives (connections, bytes, and frames derived from fixed-size echo frames).
 */
export type ServerStatsSnapshot = Pick<ServerStats, 'connections' | 'framesIn' | 'framesOut'> & Partial<ServerStats>;

/** A process tree in a sample: systemCpuSeconds is absent from results written before it was recorded. */
export type SampledTree = Pick<ProcessTreeSample, 'rssBytes' | 'cpuSeconds'> &
  Partial<Pick<ProcessTreeSample, 'systemCpuSeconds'>> & { processes: number };

/** One ~1 s sample taken while a case runs. */
export interface CaseSample {
  atSeconds: number;
  server: SampledTree;
  driver?: SampledTree;
  stats?: ServerStatsSnapshot;
  stealPercent: number;
  busyPercent: number;
  tcpInuse: number;
  timeWait: number;
}

/** How the case waited for TIME_WAIT sockets of earlier cases to go. */
export interface TimeWaitRecord {
  thresholdCount: number;
  /** TIME_WAIT sockets on the ports of servers this run started, before and after the wait. */
  before: number;
  after: number;
  /** TIME_WAIT sockets on the whole machine (other sessions included) before the wait. */
  machineBefore?: number;
  waitedSeconds: number;
  outcome: 'clear' | 'waited' | 'timed-out';
}

/** Everything known about one case. */
export interface CaseResult {
  schemaVersion: 1;
  runId: string;
  case: CaseSpec;
  status: 'passed' | 'failed';
  failures: string[];
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  timeWait: TimeWaitRecord;
  server: {
    command: string[];
    ready?: ReadyLine;
    closed?: ClosedLine;
    exitCode: number | null;
    signal: string | null;
    /** Exited 0 on its own after SIGTERM, within the stop timeout. */
    cleanExit: boolean;
    stopSeconds: number;
    statsBefore?: ServerStatsSnapshot;
    statsAfter?: ServerStatsSnapshot;
    stderrTail: string;
  };
  /** The load window: from just before the load started to just after it ended. */
  load: {
    seconds: number;
    serverCpuSeconds: number;
    serverRssBytesIdle: number;
    serverRssBytesPeak: number;
    driverCpuSeconds: number;
    driverRssBytesPeak: number;
  };
  driver?: DriverResult;
  driverProcess?: { command: string[]; exitCode: number | null; signal: string | null; stderrTail: string };
  baselineClient?: BaselineClientResult;
  /** An outside load tool run against the same server right after the driver (http case 2: autocannon). */
  reference?: ReferenceLoad;
  samples: CaseSample[];
  steal: { meanPercent: number; maxPercent: number; thresholdPercent: number; flagged: boolean };
}

/** run.json: the run as a whole. */
export interface RunInfo {
  schemaVersion: 1;
  runId: string;
  profile: string;
  argv: string[];
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  repeat: number;
  /** Decisions about the matrix: caps, skipped servers, baseline availability. */
  notes: string[];
  cases: Array<{ id: string; key: string; status: 'passed' | 'failed' | 'pending'; file: string }>;
  interrupted?: boolean;
}

/** env.json: the shared EnvInfo plus what bench:all detected about limits. */
export interface RunEnv extends EnvInfo {
  limits: Record<string, number>;
}
