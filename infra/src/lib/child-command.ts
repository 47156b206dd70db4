// Runs another command in the foreground on behalf of this CLI: same terminal, its exit code
// becomes ours. Ctrl-C reaches it from the terminal by itself (it stops its own processes); a
// SIGTERM sent to us alone is passed on to it.
import { spawn } from 'node:child_process';

/** A started foreground command. */
export interface ForegroundChild {
  pid: number | undefined;
  /** Its exit code (130 when ended by SIGINT, 1 by another signal or when it could not start). */
  exited: Promise<number>;
}

export function runInForeground(command: readonly string[], env: NodeJS.ProcessEnv = process.env): ForegroundChild {
  const child = spawn(command[0]!, command.slice(1), { stdio: 'inherit', env });
  const forward = () => child.kill('SIGTERM');
  const ignoreInterrupt = () => {};
  process.on('SIGTERM', forward);
  process.on('SIGINT', ignoreInterrupt);
  const exited = new Promise<number>((resolve) => {
    const done = (code: number) => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', ignoreInterrupt);
      resolve(code);
    };
    child.once('exit', (code, signal) => done(code ?? (signal === 'SIGINT' ? 130 : 1)));
    child.once('error', () => done(1));
  });
  return { pid: child.pid, exited };
}

/** This process's own command line: node, its loader flags (tsx), the script. */
export function ownNodeCommand(script = process.argv[1]!): string[] {
  return [process.execPath, ...process.execArgv, script];
}
