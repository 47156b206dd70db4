// What the primary and a child process tell each other over the IPC channel, and how a child
// learns what to serve (an environment variable, read before anything else happens).
import type { CounterSnapshot, ServerOptions } from '@c1m/server-contract';

/** Environment variable holding a child's ChildSetup as JSON. */
export const CHILD_SETUP_ENV = 'C1M_PREFORK_CHILD';

/** What a child serves. */
export interface ChildSetup {
  options: ServerOptions;
  /** Port to listen on: the one the first child got (ws), or the flag's port (tcp, shared through cluster). */
  port: number;
}

export type ToChild = { type: 'stats'; id: number } | { type: 'drain'; deadlineMs: number };

export type FromChild =
  | { type: 'listening'; port: number }
  | { type: 'stats'; id: number; snapshot: CounterSnapshot }
  /** Sent once the drain is over, with the child's final counters. */
  | { type: 'drained'; forced: boolean; snapshot: CounterSnapshot };
