import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Running the server scripts (kafka.sh, kube.sh) and checking the servers they start, which are stopped by PID only. */

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `bash script args...` to completion (SIGKILL after timeoutMs); stderr lines go to onStderr as they come. */
export function runServerScript(script: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv, onStderr?: (line: string) => void): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = execFile('bash', [script, ...args], { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      resolve({
        code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
        stdout: String(stdout),
        stderr: String(stderr),
        timedOut: e?.killed === true,
      });
    });
    if (onStderr) {
      let partial = '';
      child.stderr?.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) onStderr(l);
      });
    }
  });
}

/** The last lines of a text, for error messages. */
export function lastLines(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** True while the process exists and is not a zombie (a reparented server may stay one under a PID 1 that never reaps). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Format: "pid (comm) state ...": comm may hold spaces or parens, so read after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Waits until none of the PIDs is alive; false when the deadline passed first. */
export async function waitAllGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(pidAlive)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
