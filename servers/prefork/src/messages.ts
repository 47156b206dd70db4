// What the primary and a child process tell each other over the IPC channel, and how a child
// learns what to serve (an environment variable, read before anything else happens).
import type { ServerOptions } from '@c1m/server-contract';
import type { CounterSnapshot } from '@c1m/server-runtime';

/** Environment variable holding a child's ChildSetup as JSON. */
export const CHILD_SETUP_ENV = 'C1M_PREFORK_CHILD';

/** What a child serves. */
export interface ChildSetup {
  options: ServerOptions;
  /** Port to listen on: the one the first child got (ws), or the flag's port (tcp, shared through cluster). */
  port: number;
  /** tcp: this child starts as the anchor, the one that never stops accepting (see anchor-keeper.ts). */
  anchor: boolean;
}

export type ToChild =
  | { type: 'stats'; id: number }
  | { type: 'drain'; deadlineMs: number }
  /**
   * tcp: become the anchor; answered with anchor-ack. `roomy`: only with at least the anchor
   * margin of room left; `any`: with any room; `must`: always, listening again if paused (there is
   * no anchor).
   */
  | { type: 'anchor'; take: AnchorTake }
  /** tcp: another child is the anchor now; pause at the budget like the others. */
  | { type: 'release' };

export type FromChild =
  | { type: 'listening'; port: number }
  | { type: 'stats'; id: number; snapshot: CounterSnapshot }
  /** Sent once the drain is over, with the child's final counters. */
  | { type: 'drained'; forced: boolean; snapshot: CounterSnapshot }
  /** tcp: a non-anchor child paused at its budget, or listens again with room. */
  | { type: 'accepting'; accepting: boolean }
  /** tcp: the anchor has little room left (`atBudget`: none) and asks to hand its role on. */
  | { type: 'full'; atBudget: boolean }
  /** tcp: answer to 'anchor': ok when the child took the role; whether it is accepting either way. */
  | { type: 'anchor-ack'; ok: boolean; accepting: boolean };

/** On what terms a child is offered the anchor role. */
export type AnchorTake = 'roomy' | 'any' | 'must';
