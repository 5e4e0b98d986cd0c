import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
  kill9(): Promise<void>;
}

/**
 * Spawns a long-running child and remembers its PID; stop() sends SIGTERM, then SIGKILL after a
 * deadline. Only ever this PID: never by name.
 */
export function startChild(opts: { name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string; inheritOutput?: boolean }): Child {
  const proc = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: opts.inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${opts.name} (${opts.command})`);
  if (!opts.inheritOutput) {
    if (opts.logFile) {
      mkdirSync(dirname(opts.logFile), { recursive: true });
      const out = createWriteStream(opts.logFile, { flags: 'a' });
      proc.stdout?.pipe(out);
      proc.stderr?.pipe(out);
    } else {
      proc.stdout?.resume();
      proc.stderr?.resume();
    }
  }
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    name: opts.name,
    pid: proc.pid,
    process: proc,
    exited,
    async stop(graceMs = 10_000) {
      if (!alive()) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => alive() && proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      if (!alive()) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
