// A load-generator shard: a child process holding up to ~18,000 connections, driven by the
// coordinator over IPC (init, connect, load/short steps, close). Bundled to dist/shard.js and
// run under plain node with --expose-gc so its memory figures are taken after a collection.
import { epochMsToNowUs } from './shard/clock.ts';
import { rampConnections } from './shard/connect-phase.ts';
import { runLoad } from './shard/load-phase.ts';
import { settledRssBytes } from './shard/memory.ts';
import type { FromShard, ShardInit, ToShard } from './ipc/messages.ts';
import { Pool } from './shard/pool.ts';
import { RequestFactory } from './shard/requests.ts';
import { runShortLoop } from './shard/short-phase.ts';

let init: ShardInit | null = null;
let pool: Pool | null = null;
let progressTimer: NodeJS.Timeout | null = null;

function send(message: FromShard): void {
  process.send?.(message);
}

function requirePool(): Pool {
  if (pool === null) throw new Error('shard used before init');
  return pool;
}

function startProgress(p: Pool): void {
  progressTimer = setInterval(() => {
    const s = p.stats;
    let errors = 0;
    for (const n of Object.values(s.errors)) errors += n;
    const corrected = s.corrected.flush();
    const p99Us = corrected.totalCount > 0 ? corrected.getValueAtPercentile(99) : 0;
    send({ type: 'progress', open: p.openCount, sent: s.counts.sent, received: s.counts.received, errors, p99Us });
  }, 1000);
  progressTimer.unref();
}

async function handle(message: ToShard): Promise<void> {
  switch (message.type) {
    case 'init': {
      init = message.init;
      pool = new Pool(init.pool, new RequestFactory(init.requests, init.index + 1));
      if (init.progress) startProgress(pool);
      send({ type: 'ready', rssBytes: settledRssBytes() });
      return;
    }
    case 'connect': {
      const i = init as ShardInit;
      const report = await rampConnections(
        requirePool(),
        i.connections,
        i.connectRate,
        epochMsToNowUs(message.startAtMs),
        { minFreeBytes: i.minFreeBytes },
      );
      send({ type: 'connected', report });
      return;
    }
    case 'load':
      send({ type: 'loaded', report: await runLoad(requirePool(), message.step) });
      return;
    case 'short': {
      const i = init as ShardInit;
      send({ type: 'shorted', report: await runShortLoop(requirePool(), i.connections, i.connectRate, message.step) });
      return;
    }
    case 'close': {
      pool?.closeAll();
      if (progressTimer !== null) clearInterval(progressTimer);
      const cpu = process.cpuUsage();
      const usage = { cpuSeconds: (cpu.user + cpu.system) / 1e6, rssBytesPeak: process.resourceUsage().maxRSS * 1024 };
      // Exit once the message is flushed; RST'd sockets need no further turns of the loop.
      process.send?.({ type: 'closed', usage } satisfies FromShard, () => process.exit(0));
      return;
    }
  }
}

process.on('message', (message: ToShard) => {
  handle(message).catch((err: unknown) => {
    send({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  });
});
// The coordinator went away (crash, kill) or we are told to stop: drop every connection with
// RST (no TIME_WAIT left behind) and leave.
process.on('disconnect', () => {
  pool?.closeAll();
  process.exit(0);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    pool?.closeAll();
    process.exit(1);
  });
}
