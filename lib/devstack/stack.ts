import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from './children';
import { startChild } from './children';
import { fromRoot } from '../paths';
import { freePort } from './ports';
import type { KeyFiles } from '../trust/dev-keys';
import { writeSigningKeyPair } from '../trust/dev-keys';

import type { WorkerName } from '../../contracts';
import { WORKER_NAMES } from '../../contracts';

export { WORKER_NAMES };
export type { WorkerName };

export interface WorkerStack {
  workers: Map<WorkerName, Child>;
  opsPorts: Map<WorkerName, number>;
  /** The gate key the review agent trusts (made for this stack unless VIGIL_GATE_PUBLIC_KEY_FILE was given): whoever plays the gate signs with it. */
  gateKeys: KeyFiles | null;
  /** The approvals service's decision key pair the review agent trusts (made for this stack unless VIGIL_DECISION_APPROVALS_KEY_FILE was given). */
  approvalsKeys: KeyFiles | null;
  start(name: WorkerName): Promise<Child>;
  stop(): Promise<void>;
}

/** Polls a worker's /readyz until it answers, failing early if the process exits. */
export async function waitReady(name: string, child: Child, port: number, timeoutMs: number): Promise<void> {
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
  /** Extra environment for one worker only (e.g. remediation's Kubernetes credentials). */
  envFor?: Partial<Record<WorkerName, NodeJS.ProcessEnv>>;
  /** Node flags for one worker only (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry). */
  nodeArgsFor?: Partial<Record<WorkerName, string[]>>;
  logDir?: string;
  inheritOutput?: WorkerName[];
  names?: readonly WorkerName[];
  /** How long each worker may take to answer /readyz (default 90 s; a loaded machine needs more). */
  readyTimeoutMs?: number;
}): Promise<WorkerStack> {
  const workers = new Map<WorkerName, Child>();
  const opsPorts = new Map<WorkerName, number>();
  if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
  const trust = devTrustEnv(opts.env ?? {});
  // Once stop() has begun, no worker starts again: a kill loop's restart racing the teardown
  // would otherwise leave a worker running after its stack was stopped.
  let stopping = false;
  const launch = async (name: WorkerName, port: number): Promise<Child> => {
    if (stopping) throw new Error(`not starting ${name}: the worker stack is stopping`);
    const child = startChild({
      name,
      command: process.execPath,
      args: [...(opts.nodeArgsFor?.[name] ?? []), fromRoot('dist', 'workers', `${name}.js`)],
      env: { ...opts.env, ...trust.env[name], ...opts.envFor?.[name], TEMPORAL_ADDRESS: opts.temporalAddress, VIGIL_OPS_PORT: String(port), VIGIL_OPS_HOST: '127.0.0.1' },
      logFile: opts.logDir ? join(opts.logDir, `${name}.log`) : undefined,
      inheritOutput: opts.inheritOutput?.includes(name),
    });
    workers.set(name, child);
    await waitReady(name, child, port, opts.readyTimeoutMs ?? 90_000);
    return child;
  };
  // A restarted worker keeps its ops port, but between its kill and its restart the kernel can hand
  // that free port to another socket (seen in the soak: the worker's own A2A endpoint, bound to port
  // 0, got it first and the ops server died on EADDRINUSE). A worker that exits before it is ready
  // is started again on a fresh port, twice at most; one that is merely slow is not.
  const start = async (name: WorkerName): Promise<Child> => {
    for (let attempt = 0; ; attempt++) {
      const port = (attempt === 0 ? opsPorts.get(name) : undefined) ?? (await freePort());
      opsPorts.set(name, port);
      try {
        return await launch(name, port);
      } catch (err) {
        if (stopping || attempt >= 2 || workers.get(name)?.process.exitCode === null) throw err;
      }
    }
  };
  const stop = async () => {
    stopping = true;
    await Promise.all([...workers.values()].map((c) => c.stop()));
  };
  try {
    await Promise.all((opts.names ?? WORKER_NAMES).map((n) => start(n)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { workers, opsPorts, gateKeys: trust.gateKeys, approvalsKeys: trust.approvalsKeys, start, stop };
}

/**
 * Development keys for what the environment does not name: the review agent's verdict key pair
 * (review signs, remediation verifies), a gate key pair and the approvals service's decision key
 * pair (the service signs chat decisions, review trusts them), each made fresh for this stack.
 */
function devTrustEnv(env: NodeJS.ProcessEnv): { env: Partial<Record<WorkerName, NodeJS.ProcessEnv>>; gateKeys: KeyFiles | null; approvalsKeys: KeyFiles | null } {
  let dir: string | undefined;
  const keyDir = () => (dir ??= mkdtempSync(join(tmpdir(), 'vigil-keys-')));
  const verdict = env.VIGIL_VERDICT_SIGNING_KEY_FILE && env.VIGIL_VERDICT_PUBLIC_KEY_FILE ? null : writeSigningKeyPair(keyDir(), 'verdict');
  const gateKeys = env.VIGIL_GATE_PUBLIC_KEY_FILE ? null : writeSigningKeyPair(keyDir(), 'gate');
  const approvalsKeys = env.VIGIL_DECISION_APPROVALS_KEY_FILE ? null : writeSigningKeyPair(keyDir(), 'approvals');
  return {
    gateKeys,
    approvalsKeys,
    env: {
      review: {
        ...(verdict ? { VIGIL_VERDICT_SIGNING_KEY_FILE: verdict.privateKeyFile } : {}),
        ...(gateKeys ? { VIGIL_GATE_PUBLIC_KEY_FILE: gateKeys.publicKeyFile } : {}),
        ...(approvalsKeys ? { VIGIL_DECISION_APPROVALS_KEY_FILE: approvalsKeys.publicKeyFile } : {}),
      },
      remediation: verdict ? { VIGIL_VERDICT_PUBLIC_KEY_FILE: verdict.publicKeyFile } : {},
    },
  };
}
