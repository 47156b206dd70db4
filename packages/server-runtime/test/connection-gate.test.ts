// The connection gate: admits up to its limit, refuses past it, and is one budget for every
// thread that shares its memory (multi-loop and worker-pool build one per thread over the same buffer).
import { describe, expect, it } from 'vitest';
import { ConnectionGate } from '../src/connection-gate.ts';

describe('ConnectionGate', () => {
  it('admits up to its limit, refuses beyond it, and admits again after a release', () => {
    const gate = new ConnectionGate(3);
    expect([gate.tryAdmit(), gate.tryAdmit(), gate.tryAdmit(), gate.tryAdmit()]).toEqual([true, true, true, false]);
    expect(gate.current).toBe(3);
    gate.release();
    expect(gate.current).toBe(2);
    expect([gate.tryAdmit(), gate.tryAdmit()]).toEqual([true, false]);
  });

  it('a limit of 0 refuses everything and a refusal leaves the count unchanged', () => {
    const gate = new ConnectionGate(0);
    expect(gate.tryAdmit()).toBe(false);
    expect(gate.current).toBe(0);
  });

  it('gates built over one shared buffer (one per loop thread) draw on one budget', () => {
    const first = new ConnectionGate(5);
    const second = new ConnectionGate(5, first.buffer);
    const admitted = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? first : second).tryAdmit());
    expect(admitted).toEqual([true, true, true, true, true, false, false, false]);
    expect([first.current, second.current]).toEqual([5, 5]);
    second.release();
    expect(first.tryAdmit()).toBe(true);
  });
});
