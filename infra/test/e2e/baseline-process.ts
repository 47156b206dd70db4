// The compiled C baseline server as a test sees it: started with some flags, its stdout JSON lines
// collected, a stats line asked for with SIGUSR1, and killed at the end.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { buildBaseline } from '../../src/baseline/build.ts';

export interface JsonLine {
  event: string;
  [key: string]: unknown;
}

export class BaselineProcess {
  readonly lines: JsonLine[] = [];
  stderr = '';

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) this.lines.push(JSON.parse(p) as JsonLine);
    });
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Builds the server if needed and starts it with `args` (under a lower open-files limit if given). */
  static async start(args: string[], fdLimit?: number): Promise<BaselineProcess> {
    const build = await buildBaseline();
    if (!build.ok) throw new Error(`the baseline did not build: ${build.reason}`);
    if (fdLimit === undefined) return new BaselineProcess(spawn(build.server, args));
    const limited = `ulimit -n ${fdLimit} && exec "$0" "$@"`;
    return new BaselineProcess(spawn('sh', ['-c', limited, build.server, ...args]));
  }

  /** Resolves with the next stdout line whose event is `event`, looking from line `from` on. */
  async nextLine(event: string, from = 0, timeoutMs = 5000): Promise<JsonLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.slice(from).find((l) => l.event === event);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no ${event} line within ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Its counters, as its SIGUSR1 stats line gives them. */
  async stats(): Promise<JsonLine> {
    const from = this.lines.length;
    this.child.kill('SIGUSR1');
    return this.nextLine('stats', from);
  }

  /** Resolves with the exit code (null when killed by a signal). */
  exited(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const done = this.exited();
    this.child.kill('SIGKILL');
    await done;
  }
}
