// The primary's side of prefork: forks the children through node:cluster, waits until each one
// listens, asks them for their counters, keeps one tcp child accepting (anchor-keeper.ts),
// replaces a child that dies unexpectedly, and drains them all on shutdown. The primary keeps no
// connections: the children accept from the shared socket themselves.
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { ServerOptions } from '@c1m/server-contract';
import {
  bundledEntryUrl,
  mergeSnapshots,
  retiredSnapshot,
  snapshotConnections,
  type CounterSnapshot,
} from '@c1m/server-runtime';
import { AnchorKeeper } from './anchor-keeper.ts';
import { CHILD_SETUP_ENV, type ChildSetup, type FromChild, type ToChild } from './messages.ts';

/** How long a stats request waits before the child's last known counters are used instead. */
const STATS_TIMEOUT_MS = 1000;
/** After the drain deadline, how long a child may take to exit before it is killed. */
const KILL_GRACE_MS = 1000;
/** Restart delay after a child died before listening, doubled each time in a row (a crash loop). */
const RESTART_BACKOFF_MS = 100;
const RESTART_BACKOFF_MAX_MS = 5000;

/** One place in the pool and the child currently filling it. */
interface Slot {
  /** Its place in the pool (how the anchor keeper names it). */
  readonly index: number;
  worker: Worker | null;
  listening: boolean;
  /** The child's most recent counters (from a stats reply or its drained message). */
  last: CounterSnapshot | null;
  /** Children of this slot in a row that died before listening. */
  failures: number;
  restartTimer: NodeJS.Timeout | null;
}

/** A fixed number of children serving one port. */
export class ChildPool {
  private readonly slots: Slot[];
  private port = 0;
  private nextRequestId = 0;
  private readonly pending = new Map<number, { slot: Slot; resolve: () => void }>();
  /** Counters of children that have exited: their totals still count. */
  private retired: CounterSnapshot = mergeSnapshots([]);
  private stopping = false;
  /** Children that died unexpectedly and were replaced. */
  restarts = 0;
  /** tcp only: which child must keep accepting from the shared socket. */
  private readonly anchors: AnchorKeeper | null;

  constructor(
    private readonly options: ServerOptions,
    size: number,
  ) {
    this.slots = Array.from({ length: size }, (_, index) => ({
      index,
      worker: null,
      listening: false,
      last: null,
      failures: 0,
      restartTimer: null,
    }));
    this.anchors =
      options.transport === 'tcp'
        ? new AnchorKeeper({
            size,
            live: (i) => this.slots[i]!.worker !== null && this.slots[i]!.listening,
            connections: (i) => (this.slots[i]!.last ? snapshotConnections(this.slots[i]!.last!) : 0),
            send: (i, message) => this.send(this.slots[i]!, message),
          })
        : null;
  }

  /** tcp only: times the anchor role moved to another child. */
  get anchorHandovers(): number | undefined {
    return this.anchors?.handovers;
  }

  /** Forks every child; resolves with the shared port once all of them listen. */
  async start(): Promise<number> {
    // tcp: every child accepts from the shared socket itself (node:cluster's SCHED_NONE). With
    // round-robin, cluster's default on Linux, the primary accepts every connection and hands it
    // to a child over IPC; at a 5,000/s ramp on a busy machine it fell behind, its queue passed
    // its own descriptor limit, and it reset a third of a million connections. Accepting for
    // themselves, children get uneven shares, so one that reaches its budget pauses and leaves
    // the queue to the others (anchor-keeper.ts). NODE_CLUSTER_SCHED_POLICY=rr still selects
    // round-robin. ws is not affected: each child's uWS socket is its own and SO_REUSEPORT
    // hashes connections evenly over them.
    if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: fileURLToPath(bundledEntryUrl(import.meta.url, 'child')), args: [] });
    try {
      // The first child picks the port (port 0 = any free one); the others join it.
      this.port = await this.fork(this.slots[0]!, this.options.port);
      await Promise.all(this.slots.slice(1).map((slot) => this.fork(slot, this.childPort())));
    } catch (err) {
      // No restarts (one may already be scheduled for the child that failed), no survivors.
      this.stopRestarting();
      for (const slot of this.slots) slot.worker?.process.kill('SIGKILL');
      throw err;
    }
    return this.port;
  }

  /** Processes running now: the live children and the primary. */
  get processes(): number {
    return 1 + this.slots.filter((s) => s.worker !== null).length;
  }

  /** Counter snapshots: every listening child's current ones, and the retired children's. */
  async collect(): Promise<CounterSnapshot[]> {
    const live = this.slots.filter((s) => s.worker !== null && s.listening);
    await Promise.all(live.map((slot) => this.requestStats(slot)));
    return [this.retired, ...live.flatMap((s) => (s.last ? [s.last] : []))];
  }

  /** Current connections of each slot's child as of the last collect (0 while a slot restarts). */
  connectionsByChild(): number[] {
    return this.slots.map((s) => (s.worker && s.last ? snapshotConnections(s.last) : 0));
  }

  /** Tells every child to drain and waits for all to exit; forced if any was forced or killed. */
  async drain(deadlineMs: number): Promise<{ forced: boolean }> {
    this.stopRestarting();
    const results = await Promise.all(this.slots.map((slot) => this.drainChild(slot, deadlineMs)));
    return { forced: results.some((forced) => forced) };
  }

  private stopRestarting(): void {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
    }
  }

  /**
   * tcp children share the cluster's handle, keyed by the flag's port; uWS children (ws, http) bind the port by number.
   */
  private childPort(): number {
    return this.options.transport === 'tcp' ? this.options.port : this.port;
  }

  /** Forks a child into `slot`; resolves with its port once it listens, rejects if it exits first. */
  private fork(slot: Slot, port: number): Promise<number> {
    const { index } = slot;
    const setup: ChildSetup = { options: this.options, port, anchor: this.anchors?.claimIfVacant(index) ?? false };
    const worker = cluster.fork({ [CHILD_SETUP_ENV]: JSON.stringify(setup) });
    slot.worker = worker;
    slot.listening = false;
    slot.last = null;
    return new Promise((resolve, reject) => {
      worker.on('message', (message: FromChild) => {
        if (message.type === 'listening') {
          slot.listening = true;
          slot.failures = 0;
          this.anchors?.onListening(index);
          resolve(message.port);
        } else if (message.type === 'accepting') this.anchors?.onAccepting(index, message.accepting);
        else if (message.type === 'full') this.anchors?.onFull(index, message.atBudget);
        else if (message.type === 'anchor-ack') this.anchors?.onAck(index, message.ok, message.accepting);
        else if (message.type === 'stats' || message.type === 'drained') {
          slot.last = message.snapshot;
          if (message.type === 'stats') this.answered(message.id);
        }
      });
      worker.once('exit', (code, signal) => {
        this.onExit(slot, worker);
        reject(new Error(`prefork child ${worker.process.pid} exited (${signal ?? code}) before listening`));
      });
    });
  }

  private onExit(slot: Slot, worker: Worker): void {
    if (slot.worker !== worker) return;
    if (slot.last) this.retired = mergeSnapshots([this.retired, retiredSnapshot(slot.last)]);
    const diedListening = slot.listening;
    slot.worker = null;
    slot.listening = false;
    slot.last = null;
    if (!this.stopping) this.anchors?.onExit(slot.index);
    for (const [id, request] of this.pending) if (request.slot === slot) this.answered(id);
    if (this.stopping) return;
    // Unexpected: replace the child on the same port; back off if children keep failing to start.
    this.restarts++;
    slot.failures = diedListening ? 0 : slot.failures + 1;
    const delay =
      slot.failures === 0 ? 0 : Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MS * 2 ** (slot.failures - 1));
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      this.fork(slot, this.childPort()).catch(() => {
        // counted and retried by onExit
      });
    }, delay);
  }

  /** Asks one child for its counters; settles on the reply, the child's exit, or a timeout. */
  private requestStats(slot: Slot): Promise<void> {
    const id = this.nextRequestId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answered(id), STATS_TIMEOUT_MS);
      this.pending.set(id, {
        slot,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      this.send(slot, { type: 'stats', id });
    });
  }

  private answered(id: number): void {
    const request = this.pending.get(id);
    this.pending.delete(id);
    request?.resolve();
  }

  private async drainChild(slot: Slot, deadlineMs: number): Promise<boolean> {
    const worker = slot.worker;
    if (!worker) return false;
    let forced = true;
    worker.on('message', (message: FromChild) => {
      if (message.type === 'drained') forced = message.forced;
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    // The channel closes after its last message has been read. A busy primary may see the exit
    // first (at a million connections it did, and took a clean drain for a forced one), so the
    // 'drained' message is awaited through the channel's end, not the exit alone.
    const channelClosed = new Promise<void>((resolve) =>
      worker.isConnected() ? worker.once('disconnect', () => resolve()) : resolve(),
    );
    const killer = setTimeout(() => worker.process.kill('SIGKILL'), deadlineMs + KILL_GRACE_MS);
    this.send(slot, { type: 'drain', deadlineMs });
    const [code] = await Promise.all([exited, channelClosed]);
    clearTimeout(killer);
    return forced || code !== 0;
  }

  private send(slot: Slot, message: ToChild): void {
    // The channel may close between a child's death and its exit event: nothing to ask then.
    if (slot.worker?.isConnected()) slot.worker.send(message, undefined, () => {});
  }
}
