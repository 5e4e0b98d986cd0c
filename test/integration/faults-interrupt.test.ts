import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';

/**
 * An interrupted fault run (Ctrl-C, a CI timeout's SIGTERM) stops every process it started: the
 * workers (restarted ones too), the gate, the dev server, the broker and the API server. Found in a
 * soak stopped by SIGINT: the restarted workers, the gate and the dev server outlived the harness.
 */

const parentOf = (pid: number): number | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
};

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/** Every live process under root, by walking each process's parent. */
function descendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== null) parents.set(pid, ppid);
  }
  return [...parents.keys()].filter((pid) => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return parentOf(pid) !== null && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an interrupted fault run', () => {
  it('stops every process it started when it gets SIGINT mid-scenario', async () => {
    const harness = spawn(process.execPath, [fromRoot('dist', 'bench', 'faults.js'), '--scenario', 'worker-kill', '--alerts', '400', '--rate', '2', '--fault-seconds', '120'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    harness.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
    const seen = new Map<number, string>();
    try {
      // Until the scenario's gate runs and a worker has been killed and restarted (more worker PIDs than workers).
      const deadline = Date.now() + 240_000;
      const workerPids = () => [...seen.values()].filter((c) => c.includes('dist/workers/')).length;
      while (Date.now() < deadline) {
        for (const pid of descendants(harness.pid!)) if (!seen.has(pid)) seen.set(pid, commandOf(pid));
        if ([...seen.values()].some((c) => c.includes('dist/gate/main.js')) && workerPids() > 5) break;
        if (harness.exitCode !== null) throw new Error(`the harness exited early (${harness.exitCode}): ${stderr.slice(-2000)}`);
        await sleep(500);
      }
      expect(workerPids()).toBeGreaterThan(5);
      harness.kill('SIGINT');
      expect(await exited).toBe(130);
      // kube.sh's watchdog polls its owner once a second, then ends by itself: a few seconds' grace.
      let left = [...seen.entries()].filter(([pid]) => alive(pid));
      for (const until = Date.now() + 15_000; left.length > 0 && Date.now() < until; left = left.filter(([pid]) => alive(pid))) await sleep(250);
      expect(left.map(([pid, cmd]) => `${pid} ${cmd.slice(0, 120)}`)).toEqual([]);
      expect(stderr).toContain('SIGINT: stopping the fault stack');
    } finally {
      if (harness.exitCode === null) harness.kill('SIGKILL');
      for (const pid of seen.keys()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 420_000);
});
