// The bench:all matrix: every server × transport × scenario (styles for the workload servers),
// the C baseline interleaved so each architecture has a baseline measured close in time (and in
// http case 2 the C server's --http mode before the servers), sized
// by the profile and capped by the machine's limits — each cap said in the case and the notes.
import { BASELINE_SERVER, type CaseSpec, type ScenarioId } from '../model/case-result.ts';
import { HTTP_SCENARIOS, REFERENCE_SCENARIO } from '../model/http-scenarios.ts';
import { httpDrafts } from './http-cases.ts';
import { tlsHoldDraft } from './tls-cases.ts';
import { type Limits, memoryCap } from './limits.ts';
import type { Profile } from './profiles.ts';
import type { ServerInfo } from './servers.ts';

/** What the user asked for. */
export interface PlanRequest {
  profile: Profile;
  /** --connections: hold size for every server (single-process ones capped), echo-10k at most this. */
  connections?: number;
  /** --only: server dirs (and/or baseline-c). */
  only?: string[];
  /** --scenarios. */
  scenarios?: ScenarioId[];
  repeat: number;
  /** The C baseline was built. */
  baseline: boolean;
}

/** The planned cases and the decisions behind them. */
export interface Plan {
  cases: CaseSpec[];
  notes: string[];
}

type Draft = Omit<CaseSpec, 'id' | 'key' | 'repetition'>;

const fmt = (n: number) => n.toLocaleString('en-US');
/** Matrix order: the baseline-bracketed echo groups first, the TIME_WAIT-producing short last. */
const ORDER: ScenarioId[] = [
  'c-pair',
  'echo-100',
  'echo-10k',
  'cpu',
  'io',
  ...HTTP_SCENARIOS,
  'hold',
  'tls-hold',
  'short',
];

function keyOf(d: Draft): string {
  return [d.scenario, d.server, d.transport, d.style].filter(Boolean).join(' ');
}

function holdSize(
  server: ServerInfo | 'baseline',
  req: PlanRequest,
  limits: Limits,
  notes: Set<string>,
): { connections: number; workers?: number; caps: string[] } {
  const perProcess = limits.perProcessConnections;
  const caps: string[] = [];
  const multi = server !== 'baseline' && server.processModel === 'multi-process';
  const mem = memoryCap(limits);
  if (!multi) {
    const wanted = req.connections ?? req.profile.holdConnections ?? perProcess;
    if (wanted > perProcess) {
      caps.push(
        `hold capped at ${fmt(perProcess)} (asked ${fmt(wanted)}): descriptor limit of one process ` +
          `(RLIMIT_NOFILE ${fmt(limits.fdHard)} less ${fmt(limits.fdHard - perProcess)} reserved), not the ` +
          `architecture`,
      );
    }
    return { connections: Math.min(wanted, perProcess, mem), caps };
  }
  let wanted = req.connections ?? req.profile.multiProcessHoldConnections;
  if (wanted > mem) {
    caps.push(
      `hold capped at ${fmt(mem)} (asked ${fmt(wanted)}): half of available memory at ${fmt(20_000)} B per ` +
        `connection, both sides`,
    );
    wanted = mem;
  }
  if (req.connections === undefined && req.profile.name === 'default') {
    notes.add(
      `multi-process hold sized to ${fmt(wanted)} connections to keep the default profile under 30 minutes; ` +
        `pnpm bench:c1m holds 1,000,000`,
    );
  }
  const workers = Math.max(1, Math.ceil(wanted / perProcess));
  return { connections: wanted, workers: workers > limits.cores ? workers : undefined, caps };
}

function draftsFor(server: ServerInfo, req: PlanRequest, limits: Limits, notes: Set<string>): Draft[] {
  const p = req.profile;
  const out: Draft[] = [];
  const base = { server: server.dir, sizeBytes: 64, caps: [] as string[] };
  // http has cases of its own (the six tcpserver cases, protocol README 3.7), not echo, hold and short.
  for (const transport of server.transports.filter((t) => t !== 'http')) {
    if (server.workload) {
      for (const style of server.styles ?? [undefined]) {
        out.push({
          ...base,
          scenario: server.workload,
          transport,
          style,
          workload: server.workload,
          connections: p.workloadConnections,
          durationSeconds: p.workloadSeconds,
          warmupSeconds: p.warmupSeconds,
          pipeline: 1,
        });
      }
      continue;
    }
    out.push(...echoDrafts({ ...base, transport }, req));
    const hold = holdSize(server, req, limits, notes);
    out.push({
      ...base,
      transport,
      scenario: 'hold',
      workload: 'echo',
      connections: hold.connections,
      workers: hold.workers,
      durationSeconds: p.holdSeconds,
      warmupSeconds: 0,
      pingIntervalSeconds: p.pingIntervalSeconds,
      caps: hold.caps,
    });
    if (!p.httpAndTlsServers || p.httpAndTlsServers.includes(server.dir))
      out.push(tlsHoldDraft({ ...base, transport }, p));
    out.push({
      ...base,
      transport,
      scenario: 'short',
      workload: 'echo',
      sizeBytes: 100,
      connections: p.shortConcurrency,
      loops: p.shortLoops,
      durationSeconds: 0,
      warmupSeconds: 0,
    });
  }
  if (server.transports.includes('http')) {
    if (!p.httpAndTlsServers || p.httpAndTlsServers.includes(server.dir)) out.push(...httpDrafts(server.dir, p));
  }
  if (p.httpAndTlsServers && !p.httpAndTlsServers.includes(server.dir)) {
    notes.add(
      `http cases and tls-hold only on ${p.httpAndTlsServers.join(' and ')} (one server per engine): ${p.name} profile`,
    );
  }
  return out;
}

function echoDrafts(
  base: { server: string; transport: 'tcp' | 'ws'; sizeBytes: number; caps: string[] },
  req: PlanRequest,
): Draft[] {
  const p = req.profile;
  let large = p.echoLargeConnections;
  const caps: string[] = [];
  if (large < 10_000) caps.push(`echo-10k run at ${fmt(large)} connections: ${p.name} profile`);
  if (req.connections !== undefined && req.connections < large) {
    large = req.connections;
    caps.push(`echo-10k run at ${fmt(large)} connections: --connections`);
  }
  const common = {
    ...base,
    workload: 'echo' as const,
    durationSeconds: p.echoSeconds,
    warmupSeconds: p.warmupSeconds,
    pipeline: 1,
  };
  return [
    { ...common, scenario: 'echo-100', connections: 100, caps: [] },
    { ...common, scenario: 'echo-10k', connections: large, caps },
  ];
}

/** Builds the matrix. */
export function planMatrix(servers: ServerInfo[], limits: Limits, req: PlanRequest): Plan {
  const notes = new Set<string>();
  const wantScenario = (s: ScenarioId) => !req.scenarios || req.scenarios.includes(s);
  const wantServer = (dir: string) => !req.only || req.only.includes(dir);

  const drafts: Draft[] = [];
  for (const server of servers) {
    if (!wantServer(server.dir)) continue;
    if (!server.built) {
      notes.add(`${server.dir}: not built (servers/${server.dir}/dist/main.js missing): skipped; run pnpm build`);
      continue;
    }
    drafts.push(...draftsFor(server, req, limits, notes).filter((d) => wantScenario(d.scenario)));
  }

  // The baseline: one case per scenario that has architecture cases, interleaved for echo.
  const baselineWanted = req.baseline && (!req.only || req.only.includes(BASELINE_SERVER) || drafts.length > 0);
  const baselineDrafts = new Map<ScenarioId, Draft>();
  if (baselineWanted) {
    const b = { server: BASELINE_SERVER, transport: 'tcp' as const, sizeBytes: 64, caps: [] as string[] };
    for (const d of echoDrafts(b, req)) baselineDrafts.set(d.scenario, d);
    const hold = holdSize('baseline', req, limits, notes);
    baselineDrafts.set('hold', {
      ...b,
      scenario: 'hold',
      workload: 'echo',
      connections: hold.connections,
      durationSeconds: req.profile.holdSeconds,
      warmupSeconds: 0,
      pingIntervalSeconds: req.profile.pingIntervalSeconds,
      caps: hold.caps,
    });
    baselineDrafts.set('short', {
      ...b,
      scenario: 'short',
      workload: 'echo',
      sizeBytes: 100,
      connections: req.profile.shortConcurrency,
      loops: req.profile.shortLoops,
      durationSeconds: 0,
      warmupSeconds: 0,
    });
    baselineDrafts.set('c-pair', {
      ...b,
      scenario: 'c-pair',
      workload: 'echo',
      connections: 100,
      durationSeconds: req.profile.cPairSeconds,
      warmupSeconds: req.profile.warmupSeconds,
      pipeline: 1,
    });
    // The metal of the http cases: the C server's --http mode in case 2 (static 1 kB, keep-alive on).
    const metal = httpDrafts(BASELINE_SERVER, req.profile).find((d) => d.scenario === REFERENCE_SCENARIO)!;
    baselineDrafts.set(REFERENCE_SCENARIO, metal);
  } else if (!req.baseline) {
    notes.add('no C baseline: ratios to the metal are not available in this run');
  }

  const round: Draft[] = [];
  for (const scenario of ORDER) {
    if (!wantScenario(scenario)) continue;
    const group = drafts.filter((d) => d.scenario === scenario);
    const base = baselineDrafts.get(scenario);
    if (scenario === 'c-pair') {
      if (base && (!req.only || req.only.includes(BASELINE_SERVER) || drafts.some((d) => d.scenario === 'echo-100')))
        round.push(base);
      continue;
    }
    if (!base || (group.length === 0 && !req.only?.includes(BASELINE_SERVER))) {
      round.push(...group);
      continue;
    }
    const bracketed = scenario === 'echo-100' || scenario === 'echo-10k';
    round.push(base);
    group.forEach((d, i) => {
      round.push(d);
      const last = i === group.length - 1;
      if (bracketed && (last || (i + 1) % req.profile.bracketEvery === 0)) round.push({ ...base, bracket: true });
    });
  }

  const cases: CaseSpec[] = [];
  for (let repetition = 1; repetition <= req.repeat; repetition++) {
    for (const d of round) {
      const key = keyOf(d);
      const index = cases.length + 1;
      const id = [String(index).padStart(3, '0'), key.replaceAll(' ', '-'), req.repeat > 1 ? `r${repetition}` : '']
        .filter(Boolean)
        .join('-');
      cases.push({ ...d, caps: [...d.caps], id, key, repetition });
    }
  }
  // One note per distinct cap, naming the cases it applies to.
  const byCap = new Map<string, Set<string>>();
  for (const c of cases) for (const cap of c.caps) byCap.set(cap, (byCap.get(cap) ?? new Set()).add(c.key));
  for (const [cap, keys] of byCap)
    notes.add(keys.size === 1 ? `${[...keys][0]}: ${cap}` : `${cap} (${keys.size} cases)`);
  return { cases, notes: [...notes] };
}
