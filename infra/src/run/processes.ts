// Every process bench:all starts goes through here: spawned without a shell (so the pid we hold
// is the program's own, for sampling and signals) in a process group of its own, remembered until
// it exits, and stopped by pid on Ctrl-C or a crash of the orchestrator. SIGTERM goes to the
// process itself (it drains its own children); a SIGKILL fallback goes to its group, so prefork
// children or driver shards are not orphaned. Nothing else is ever signalled.
import { type ChildProcess, spawn } from 'node:child_process';
import { readAllPidStats } from '@c1m/proc';
import { createInterface } from 'node:readline';

const live = new Set<ChildProcess>();
const TAIL_BYTES = 8192;

/** A started process: its pid, stdout lines as they come, a bounded stderr tail, and its exit. */
export interface Tracked {
  child: ChildProcess;
  pid: number;
  command: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  stderrTail(): string;
  /** Called with each stdout line (lines that came before the first listener are replayed). */
  onLine(listener: (line: string) => void): void;
}

/** Starts `command[0]` with the rest as arguments; stdin closed, stdout read by line. */
export function spawnTracked(command: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Tracked {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${command.join(' ')}`);
  live.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL_BYTES);
  });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (listeners.length === 0) lines.push(line);
    for (const l of listeners) l(line);
  });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      done = true;
      live.delete(child);
      resolve({ code, signal });
    };
    child.on('exit', finish);
    child.on('error', () => finish(null, null));
  });
  return {
    child,
    pid: child.pid,
    command,
    exited,
    hasExited: () => done,
    stderrTail: () => stderr,
    onLine(listener) {
      listeners.push(listener);
      for (const l of lines.splice(0)) listener(l);
    },
  };
}

/** How a stopped process ended. */
export interface StopOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It did not exit within the grace time and was SIGKILLed with its group. */
  killed: boolean;
  /** Processes of its group still running after it exited (then SIGKILLed). */
  leftBehind: number;
  seconds: number;
}

/** Pids whose process group is `pgid` (from /proc/<pid>/stat). */
export function groupMembers(pgid: number): number[] {
  return readAllPidStats()
    .filter((s) => s.pgrp === pgid)
    .map((s) => s.pid);
}

/** SIGKILL to a process group we created (the child and everything it started). */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILLs its group. Reports how it ended. */
export async function stopTracked(t: Tracked, graceMs: number): Promise<StopOutcome> {
  const started = performance.now();
  if (!t.hasExited()) t.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const first = await Promise.race([t.exited, timedOut]);
  clearTimeout(timer);
  let killed = false;
  let end = first;
  if (end === 'timeout') {
    killGroup(t.pid);
    killed = true;
    end = await t.exited;
  }
  // The group outlives its leader only while members remain, so its id cannot have been reused.
  const leftBehind = groupMembers(t.pid).length;
  if (leftBehind > 0) killGroup(t.pid);
  return { ...end, killed, leftBehind, seconds: (performance.now() - started) / 1000 };
}

/** SIGTERM to every process we started that still runs, SIGKILL to their groups after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<number> {
  const children = [...live];
  for (const c of children) c.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const c of children) if (groupMembers(c.pid!).length > 0) killGroup(c.pid!);
  return children.length;
}
