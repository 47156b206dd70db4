// One prefork child: its own event loop on the shared port (uWS with SO_REUSEPORT for ws, a
// listening socket shared through node:cluster for tcp). It answers the primary's stats requests
// with its counters, steers its tcp accepting with the primary (accept-governor.ts) and drains
// when told to; signals from a terminal go to the primary, which decides.
import {
  applyServerHeapSettings,
  ConnectionGate,
  processBudget,
  startOwnLoop,
  StatsCounters,
} from '@c1m/server-runtime';
import { AcceptGovernor } from './accept-governor.ts';
import { CHILD_SETUP_ENV, type ChildSetup, type FromChild, type ToChild } from './messages.ts';

async function run(): Promise<void> {
  applyServerHeapSettings();
  const { options, port, anchor } = JSON.parse(process.env[CHILD_SETUP_ENV] ?? '') as ChildSetup;
  const tell = (message: FromChild, then?: () => void) => process.send!(message, undefined, {}, then);
  const counters = new StatsCounters();
  const gate = new ConnectionGate(processBudget());
  const governor = options.transport === 'tcp' ? new AcceptGovernor(gate.limit, anchor, tell) : null;
  const starting = startOwnLoop(options, {
    counters,
    port,
    shared: true,
    gate,
    onTcpCount: (n) => governor?.onCount(n),
  });
  // Registered before listening so that a drain sent early is not lost.
  process.on('message', (message: ToChild) => {
    if (governor?.onMessage(message)) return;
    if (message.type === 'stats') tell({ type: 'stats', id: message.id, snapshot: counters.snapshot() });
    else if (message.type === 'drain') {
      void starting.then(async (loop) => {
        const { forced } = await loop.close(message.deadlineMs);
        // Nothing is left open: leaving the channel ends the process (cluster exits on disconnect).
        tell({ type: 'drained', forced, snapshot: counters.snapshot() }, () => process.disconnect());
      });
    }
  });
  // A terminal's Ctrl-C reaches the whole process group; only the primary acts on it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
  const loop = await starting;
  if (governor && 'pause' in loop.listener) governor.attach(loop.listener);
  tell({ type: 'listening', port: loop.port });
}

run().catch((err: unknown) => {
  process.stderr.write(
    `prefork child ${process.pid}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  // Exit now with the failure: the IPC channel would keep the process alive, and leaving it makes
  // cluster exit with 0.
  process.exit(1);
});
