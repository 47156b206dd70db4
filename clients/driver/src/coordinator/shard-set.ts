// The coordinator's handle on its shards: forks them (bundled dist/shard.js under plain node),
// sends each a step and waits for every reply, forwards progress, and makes sure that a shard
// that dies or reports a fatal error never hangs the run: a fatal error (a bug) fails it; a shard
// that dies once the run is under way (killed, OOM) is named in `lost` and stood in for by
// lost-shard.ts, so the run ends with a partial result instead of none.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { lostReply, type LostShard } from './lost-shard.ts';
import type { FromShard, ShardInit, ShardUsage, ToShard } from '../ipc/messages.ts';

type Reply<T extends FromShard['type']> = Extract<FromShard, { type: T }>;
type Progress = Reply<'progress'>;

interface Waiter {
  type: FromShard['type'];
  resolve: (message: FromShard) => void;
  reject: (err: Error) => void;
}

/** Forked shards, addressed all at once. */
export class ShardSet {
  /** Latest progress of each shard. */
  readonly progress: Array<Progress | null>;
  /** RSS of each shard when it became ready (its baseline before connections). */
  readonly baselineRssBytes: number[];
  /** Shards that died while the run still needed them, in the order they died. */
  readonly lost: LostShard[] = [];
  private readonly children: ChildProcess[];
  private readonly inits: ShardInit[];
  /** Connections each shard reported open after its ramp. */
  private readonly held: Array<number | undefined>;
  /** The step each shard was last asked for. */
  private readonly steps: string[];
  private readonly waiters: Array<Waiter | null>;
  private failure: Error | null = null;
  private closing = false;

  private constructor(children: ChildProcess[], inits: ShardInit[]) {
    this.children = children;
    this.inits = inits;
    this.held = children.map(() => undefined);
    this.steps = children.map(() => 'init');
    this.progress = children.map(() => null);
    this.waiters = children.map(() => null);
    this.baselineRssBytes = children.map(() => 0);
    children.forEach((child, index) => {
      child.on('message', (message: FromShard) => this.receive(index, message));
      // 'close', not 'exit': IPC messages sent just before exiting may still be unread at 'exit'.
      child.on('close', (code, signal) => {
        if (this.waiters[index] === null && this.closing) return;
        const exit = signal ?? `code ${code}`;
        // Before every shard is ready there is no run yet to report on.
        if (this.waiters[index]?.type === 'ready')
          this.fail(new Error(`shard ${index} exited (${exit}) before it was ready`), index);
        else this.markLost(index, exit);
      });
    });
  }

  /** Forks one shard per init and waits until each is ready. */
  static async start(inits: ShardInit[], execArgv: string[]): Promise<ShardSet> {
    const script = fileURLToPath(new URL('./shard.js', import.meta.url));
    const children = inits.map(() => fork(script, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const set = new ShardSet(children, inits);
    const ready = await set.all((i) => ({ type: 'init', init: inits[i]! }), 'ready');
    ready.forEach((r, i) => (set.baselineRssBytes[i] = r.rssBytes));
    return set;
  }

  get size(): number {
    return this.children.length;
  }

  /** Sends `messageFor(i)` to every shard and resolves with their `type` replies, in shard order. */
  all<T extends FromShard['type']>(messageFor: (index: number) => ToShard, type: T): Promise<Array<Reply<T>>> {
    return Promise.all(this.children.map((_, i) => this.request(i, messageFor(i), type)));
  }

  private request<T extends FromShard['type']>(index: number, message: ToShard, type: T): Promise<Reply<T>> {
    if (this.failure) return Promise.reject(this.failure);
    this.steps[index] = message.type;
    if (this.isLost(index)) return Promise.resolve(this.standIn(index, type));
    return new Promise((resolve, reject) => {
      this.waiters[index] = { type, resolve: resolve as (m: FromShard) => void, reject };
      this.children[index]!.send(message);
    });
  }

  private receive(index: number, message: FromShard): void {
    if (message.type === 'progress') {
      this.progress[index] = message;
      return;
    }
    if (message.type === 'fatal') {
      this.fail(new Error(`shard ${index} failed: ${message.message}`), index);
      return;
    }
    if (message.type === 'connected') this.held[index] = message.report.established - message.report.lostDuringRamp;
    const waiter = this.waiters[index];
    if (waiter?.type === message.type) {
      this.waiters[index] = null;
      waiter.resolve(message);
    }
  }

  private isLost(index: number): boolean {
    return this.lost.some((s) => s.index === index);
  }

  private standIn<T extends FromShard['type']>(index: number, type: T): Reply<T> {
    return lostReply(type, {
      init: this.inits[index]!,
      held: this.held[index],
      baselineRssBytes: this.baselineRssBytes[index]!,
    });
  }

  /** Records a dead shard and answers what it was asked with its stand-in reply. */
  private markLost(index: number, exit: string): void {
    if (this.isLost(index)) return;
    const pid = this.children[index]!.pid ?? 0;
    this.lost.push({
      index,
      pid,
      exit,
      during: this.steps[index]!,
      connections: this.held[index] ?? this.inits[index]!.connections,
    });
    const waiter = this.waiters[index];
    if (waiter === null) return;
    this.waiters[index] = null;
    waiter.resolve(this.standIn(index, waiter.type));
  }

  private fail(err: Error, _index: number): void {
    this.failure ??= err;
    this.waiters.forEach((waiter, i) => {
      if (waiter === null) return;
      this.waiters[i] = null;
      waiter.reject(this.failure as Error);
    });
  }

  /** Asks every shard to drop its connections (RST) and exit; returns their CPU and peak RSS. */
  async close(): Promise<ShardUsage[]> {
    this.closing = true;
    const closed = await this.all(() => ({ type: 'close' }), 'closed');
    await Promise.all(
      this.children.map((c) =>
        c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined,
      ),
    );
    return closed.map((c) => c.usage);
  }

  /** Kills whatever is still running (after a failure or on Ctrl-C). */
  kill(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}
