// A tcp child's side of sharing the listening socket. Children accept for themselves, so the
// kernel decides who gets each connection and the split is uneven. A child that reaches its
// descriptor budget stops accepting (pauses its listener) and leaves the queue to its siblings,
// instead of refusing connections they have room for. One child, the anchor, never pauses: the
// shared socket always has a reader, and once everyone is full the anchor refuses and counts.
// The anchor asks the primary to hand its role on before it fills (see anchor-keeper.ts).
import type { TcpListener } from '@c1m/server-runtime';
import type { AnchorTake, FromChild, ToChild } from './messages.ts';

/** Room the anchor keeps for connections that arrive while its role is handed on. */
export function anchorMargin(budget: number): number {
  return Math.max(8, Math.floor(budget / 32));
}

export class AcceptGovernor {
  private listener: TcpListener | null = null;
  private current = 0;
  /** The anchor asked to hand on its role: at the margin (1) and at the budget (2). */
  private asked = 0;
  private resuming = false;
  private readonly margin: number;

  constructor(
    private readonly budget: number,
    private anchor: boolean,
    private readonly tell: (message: FromChild) => void,
  ) {
    this.margin = anchorMargin(budget);
  }

  /** Starts steering once the listener exists (counts seen before are applied now). */
  attach(listener: TcpListener): void {
    this.listener = listener;
    this.onCount(this.current);
  }

  /** The connection count changed (after an admission or a close). */
  onCount(current: number): void {
    this.current = current;
    const listener = this.listener;
    if (!listener) return;
    if (this.anchor) {
      if (this.asked < 1 && current >= this.budget - this.margin) this.ask(1);
      if (this.asked < 2 && current >= this.budget) this.ask(2);
      if (current <= this.budget - 2 * this.margin) this.asked = 0;
    } else if (listener.accepting && current >= this.budget) {
      // Synchronous, inside the accept loop: not one connection beyond the budget is taken.
      listener.pause();
      this.tell({ type: 'accepting', accepting: false });
    } else if (!listener.accepting && !this.resuming && current <= this.budget - this.margin) {
      void this.resume().then((ok) => ok && this.tell({ type: 'accepting', accepting: true }));
    }
  }

  /** A message from the primary; true if it was this governor's. */
  onMessage(message: ToChild): boolean {
    if (message.type === 'anchor') {
      void this.offered(message.take);
      return true;
    }
    if (message.type === 'release') {
      this.anchor = false;
      this.asked = 0;
      this.onCount(this.current);
      return true;
    }
    return false;
  }

  private ask(level: number): void {
    this.asked = level;
    this.tell({ type: 'full', atBudget: level === 2 });
  }

  private async offered(take: AnchorTake): Promise<void> {
    const room = this.budget - this.current;
    const takes =
      this.anchor ||
      take === 'must' ||
      (this.listener?.accepting === true && room >= (take === 'roomy' ? this.margin : 1));
    if (takes) {
      this.anchor = true;
      this.asked = 0;
    }
    const accepting = takes ? await this.resume() : this.listener?.accepting === true;
    if (takes && !accepting) this.anchor = false;
    this.tell({ type: 'anchor-ack', ok: takes && accepting, accepting });
    if (takes) this.onCount(this.current);
  }

  /** Listens again if paused; true when accepting afterwards (false once draining, or on error). */
  private async resume(): Promise<boolean> {
    const listener = this.listener;
    if (!listener) return false;
    this.resuming = true;
    try {
      await listener.resume();
    } catch (err) {
      process.stderr.write(
        `prefork child ${process.pid}: listening again failed: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    } finally {
      this.resuming = false;
    }
    return listener.accepting;
  }
}
