// The primary's anchor bookkeeping: one child always keeps accepting, the role moves only to a
// child that took it, and the old anchor is released only after that.
import { describe, expect, it } from 'vitest';
import { AnchorKeeper } from '../src/anchor-keeper.ts';
import type { ToChild } from '../src/messages.ts';

function pool(size: number) {
  const sent: string[] = [];
  const connections = Array.from({ length: size }, () => 0);
  const live = Array.from({ length: size }, () => true);
  const keeper = new AnchorKeeper({
    size,
    live: (slot) => live[slot]!,
    connections: (slot) => connections[slot]!,
    send: (slot, message: ToChild) =>
      sent.push(`${slot} ${message.type}${message.type === 'anchor' ? ` ${message.take}` : ''}`),
  });
  const claimed = Array.from({ length: size }, (_, slot) => keeper.claimIfVacant(slot));
  for (let slot = 0; slot < size; slot++) keeper.onListening(slot);
  return { keeper, sent, connections, live, claimed };
}

describe('AnchorKeeper', () => {
  it('makes the first child forked the anchor, and only it', () => {
    expect(pool(3).claimed).toEqual([true, false, false]);
  });

  it('offers the role to the accepting child with the fewest connections, then releases the old anchor', () => {
    const { keeper, sent, connections } = pool(3);
    connections.splice(0, 3, 95, 40, 10);
    keeper.onFull(0, false);
    expect(sent).toEqual(['2 anchor roomy']);
    // Nothing is released before the taker confirms.
    keeper.onAck(2, true, true);
    expect(sent).toEqual(['2 anchor roomy', '0 release']);
    expect(keeper.handovers).toBe(1);
  });

  it('skips paused children and moves on when an offer is declined; at the budget any room will do', () => {
    const { keeper, sent, connections } = pool(3);
    connections.splice(0, 3, 95, 40, 10);
    keeper.onAccepting(1, false);
    keeper.onFull(0, false);
    // Child 2 has too little room for a roomy offer: the anchor keeps the role for now.
    keeper.onAck(2, false, true);
    expect(sent).toEqual(['2 anchor roomy']);
    expect(keeper.handovers).toBe(0);
    // At its budget the anchor takes any room, and asks child 2 again.
    keeper.onFull(0, true);
    expect(sent).toEqual(['2 anchor roomy', '2 anchor any']);
    keeper.onAck(2, true, true);
    expect(sent.at(-1)).toBe('0 release');
  });

  it('hands a waiting role to a child that accepts again with room', () => {
    const { keeper, sent } = pool(2);
    keeper.onAccepting(1, false);
    keeper.onFull(0, false);
    expect(sent).toEqual([]);
    keeper.onAccepting(1, true);
    expect(sent).toEqual(['1 anchor roomy']);
  });

  it('ignores a full report from a child that is not the anchor, and makes one offer at a time', () => {
    const { keeper, sent } = pool(3);
    keeper.onFull(1, false);
    expect(sent).toEqual([]);
    keeper.onFull(0, false);
    keeper.onFull(0, true);
    expect(sent).toHaveLength(1);
  });

  it('when the anchor dies, a paused child must take the role (it listens again)', () => {
    const { keeper, sent, live } = pool(2);
    keeper.onAccepting(1, false);
    live[0] = false;
    keeper.onExit(0);
    expect(sent).toEqual(['1 anchor must']);
    keeper.onAck(1, true, true);
    // No release goes to the dead child, and its replacement does not start as the anchor.
    expect(sent).toEqual(['1 anchor must']);
    expect(keeper.claimIfVacant(0)).toBe(false);
  });

  it('lets the replacement of a dead anchor claim the role when no other child could take it', () => {
    const { keeper, sent, live } = pool(1);
    live[0] = false;
    keeper.onExit(0);
    expect(sent).toEqual([]);
    expect(keeper.claimIfVacant(0)).toBe(true);
  });
});
