// The live progress line on a terminal: connections, msgs/s, p99 so far, errors. Quiet when
// stderr is not a TTY (CI, infra capturing output), so logs hold only the summary.
import type { ShardSet } from './shard-set.ts';

/** Redraws one status line every second from the shards' latest progress messages. */
export class ProgressLine {
  private readonly timer: NodeJS.Timeout;
  private lastReceived = 0;
  private lastAt = Date.now();

  constructor(
    private readonly set: ShardSet,
    private readonly label: string,
  ) {
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }

  private draw(): void {
    let open = 0;
    let received = 0;
    let errors = 0;
    let p99Us = 0;
    for (const p of this.set.progress) {
      if (p === null) continue;
      open += p.open;
      received += p.received;
      errors += p.errors;
      p99Us = Math.max(p99Us, p.p99Us);
    }
    const now = Date.now();
    const rate =
      received >= this.lastReceived ? ((received - this.lastReceived) * 1000) / Math.max(1, now - this.lastAt) : 0;
    this.lastReceived = received;
    this.lastAt = now;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    process.stderr.write(
      `\r\x1b[2K${this.label}: ${fmt(open)} connections  ${fmt(rate)} msgs/s  p99 ${fmt(p99Us)} µs (max over ` +
        `shards)  errors ${fmt(errors)}`,
    );
  }

  /** Clears the line. */
  stop(): void {
    clearInterval(this.timer);
    process.stderr.write('\r\x1b[2K');
  }
}
