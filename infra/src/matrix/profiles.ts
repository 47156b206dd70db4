// The sizes of a bench:all run. quick: the whole matrix in under 3 minutes on 2 cores (CI);
// default: sized to this machine, under 30 minutes.

/** Every knob a profile sets. Durations in seconds. */
export interface Profile {
  name: 'quick' | 'default';
  echoSeconds: number;
  warmupSeconds: number;
  /** Connections of the echo-10k scenario (quick runs it smaller and says so). */
  echoLargeConnections: number;
  workloadConnections: number;
  workloadSeconds: number;
  /** Hold size for single-process servers; undefined = the descriptor limit of one process. */
  holdConnections?: number;
  /** Hold size for multi-process servers (before the memory cap). */
  multiProcessHoldConnections: number;
  holdSeconds: number;
  pingIntervalSeconds: number;
  connectRate: number;
  shortConcurrency: number;
  shortLoops: number;
  cPairSeconds: number;
  /** The six http cases: concurrent clients (1000 in tcpserver's benchmark) and seconds each. */
  httpConnections: number;
  httpSeconds: number;
  /** Servers that run the http cases and tls-hold; undefined = every server that can. */
  httpAndTlsServers?: string[];
  /** tls-hold: idle TLS connections held per server × transport (handshakes/s and memory per connection). */
  tlsHoldConnections: number;
  /** A baseline echo case after every this many architecture cases (plus one before and after). */
  bracketEvery: number;
  /** Wait before a case while more sockets than this sit in TIME_WAIT... */
  timeWaitThreshold: number;
  /** ...but never longer than this. */
  timeWaitMaxSeconds: number;
  sampleIntervalMs: number;
  readyTimeoutSeconds: number;
  drainTimeoutSeconds: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    echoSeconds: 1,
    warmupSeconds: 0.3,
    echoLargeConnections: 1000,
    workloadConnections: 50,
    workloadSeconds: 1,
    holdConnections: 1000,
    multiProcessHoldConnections: 2000,
    holdSeconds: 1,
    pingIntervalSeconds: 1,
    connectRate: 20_000,
    shortConcurrency: 100,
    shortLoops: 3,
    cPairSeconds: 1,
    httpConnections: 200,
    httpSeconds: 1,
    // One server per engine (uWS; node:http, node:net, ws) keeps the quick matrix under 3 minutes.
    httpAndTlsServers: ['single-loop', 'conn-per-socket'],
    tlsHoldConnections: 1000,
    bracketEvery: 1000,
    timeWaitThreshold: 20_000,
    timeWaitMaxSeconds: 15,
    sampleIntervalMs: 500,
    readyTimeoutSeconds: 20,
    drainTimeoutSeconds: 3,
  },
  default: {
    name: 'default',
    echoSeconds: 10,
    warmupSeconds: 2,
    echoLargeConnections: 10_000,
    workloadConnections: 100,
    workloadSeconds: 10,
    multiProcessHoldConnections: 100_000,
    holdSeconds: 20,
    pingIntervalSeconds: 10,
    connectRate: 5000,
    shortConcurrency: 1000,
    shortLoops: 5,
    cPairSeconds: 10,
    httpConnections: 1000,
    httpSeconds: 10,
    tlsHoldConnections: 5000,
    bracketEvery: 3,
    timeWaitThreshold: 20_000,
    timeWaitMaxSeconds: 70,
    sampleIntervalMs: 1000,
    readyTimeoutSeconds: 30,
    drainTimeoutSeconds: 5,
  },
};
