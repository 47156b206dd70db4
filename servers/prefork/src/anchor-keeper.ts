// The primary's side of sharing the tcp listening socket (see accept-governor.ts for a child's).
// Exactly one child, the anchor, never stops accepting, so the socket always has a reader and
// nothing queued on it is lost. When the anchor runs low on room it asks to hand its role on; the
// keeper offers it to the accepting children, fewest connections first, and only after one has
// taken it (it is listening, has room, and will not pause) is the old anchor released. If no
// child takes it, the anchor keeps the role, fills to its budget, and then refuses and counts.
import type { AnchorTake, ToChild } from './messages.ts';

/** What the keeper needs to know of the pool and how it talks to a child. */
export interface AnchorSlots {
  /** Slots in the pool (indexes 0..size-1). */
  size: number;
  /** Whether the slot has a child that has reported listening. */
  live(slot: number): boolean;
  /** The slot's connections as last reported (an offer goes to the child with most room first). */
  connections(slot: number): number;
  send(slot: number, message: ToChild): void;
}

export class AnchorKeeper {
  /** The slot whose child keeps accepting; null while none is (it died). */
  private anchor: number | null = null;
  /** The slot offered the role, until it answers. */
  private offered: number | null = null;
  /** On what terms a taker is wanted; null while the anchor is content. */
  private wanted: AnchorTake | null = null;
  private readonly accepting: boolean[];
  /** Children that turned this round's offer down (too little room). */
  private readonly declined = new Set<number>();
  /** Times the role moved to another child. */
  handovers = 0;

  constructor(private readonly slots: AnchorSlots) {
    this.accepting = Array.from({ length: slots.size }, () => false);
  }

  /** Called when forking into `slot`: true if that child starts as the anchor (there is none). */
  claimIfVacant(slot: number): boolean {
    if (this.anchor !== null && this.anchor !== slot) return false;
    this.anchor = slot;
    this.wanted = null;
    return true;
  }

  onListening(slot: number): void {
    this.accepting[slot] = true;
    this.offerIfWanted();
  }

  /** A non-anchor child paused at its budget, or listens again with room. */
  onAccepting(slot: number, accepting: boolean): void {
    this.accepting[slot] = accepting;
    if (!accepting) return;
    this.declined.delete(slot);
    this.offerIfWanted();
  }

  /** The anchor is low on room; at its budget any room elsewhere is better than refusing. */
  onFull(slot: number, atBudget: boolean): void {
    if (slot !== this.anchor) return;
    if (atBudget) this.declined.clear();
    this.wanted = atBudget ? 'any' : 'roomy';
    this.offerIfWanted();
  }

  onAck(slot: number, ok: boolean, accepting: boolean): void {
    if (slot !== this.offered) return;
    this.offered = null;
    this.accepting[slot] = accepting;
    if (!ok) {
      this.declined.add(slot);
      this.offerIfWanted();
      return;
    }
    const previous = this.anchor;
    this.anchor = slot;
    this.wanted = null;
    this.declined.clear();
    this.handovers++;
    if (previous !== null && previous !== slot && this.slots.live(previous))
      this.slots.send(previous, { type: 'release' });
  }

  onExit(slot: number): void {
    this.accepting[slot] = false;
    this.declined.delete(slot);
    if (this.offered === slot) this.offered = null;
    if (this.anchor === slot) {
      this.anchor = null;
      this.wanted = 'must';
    }
    this.offerIfWanted();
  }

  private offerIfWanted(): void {
    if (this.wanted === null || this.offered !== null) return;
    // With an anchor still serving, only an accepting child with room can take over. Without one,
    // any live child must: it listens again on receiving the offer.
    const must = this.wanted === 'must';
    const candidates = Array.from({ length: this.slots.size }, (_, slot) => slot).filter(
      (slot) =>
        slot !== this.anchor && this.slots.live(slot) && !this.declined.has(slot) && (must || this.accepting[slot]),
    );
    if (candidates.length === 0) return;
    const best = candidates.reduce((a, b) => (this.slots.connections(b) < this.slots.connections(a) ? b : a));
    this.offered = best;
    this.slots.send(best, { type: 'anchor', take: this.wanted });
  }
}
