import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Child } from './children';
import { startChild } from './children';
import { fromRoot } from '../paths';
import { freePort } from './ports';

import type { WorkerName } from '../../contracts';
import { WORKER_NAMES } from '../../contracts';

export { WORKER_NAMES };
export type { WorkerName };

export interface WorkerStack {
  workers: Map<WorkerName, Child>;
  opsPorts: Map<WorkerName, number>;
  start(name: WorkerName): Promise<Child>;
  stop(): Promise<void>;
}

async function waitReady(name: string, child: Child, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${name} worker exited with ${child.process.exitCode} before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} worker not ready on :${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Each worker as its own OS process (`node dist/workers/<name>.js`), as in production, each with
 * its own ops port on loopback; resolves once every /readyz answers.
 */
export async function startWorkers(opts: {
  temporalAddress: string;
  env?: NodeJS.ProcessEnv;
  logDir?: string;
  inheritOutput?: WorkerName[];
  names?: readonly WorkerName[];
}): Promise<WorkerStack> {
  const workers = new Map<WorkerName, Child>();
  const opsPorts = new Map<WorkerName, number>();
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const start = async (name: WorkerName): Promise<Child> => {
    const port = opsPorts.get(name) ?? (await freePort());
    opsPorts.set(name, port);
    const child = startChild({
      name,
      command: process.execPath,
      args: [fromRoot('dist', 'workers', `${name}.js`)],
      env: { ...opts.env, TEMPORAL_ADDRESS: opts.temporalAddress, VIGIL_OPS_PORT: String(port), VIGIL_OPS_HOST: '127.0.0.1' },
      logFile: opts.logDir ? join(opts.logDir, `${name}.log`) : undefined,
      inheritOutput: opts.inheritOutput?.includes(name),
    });
    workers.set(name, child);
    await waitReady(name, child, port, 90_000);
    return child;
  };
  const stop = async () => {
    await Promise.all([...workers.values()].map((c) => c.stop()));
  };
  try {
    await Promise.all((opts.names ?? WORKER_NAMES).map((n) => start(n)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { workers, opsPorts, start, stop };
}
