import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { fromRoot } from '../paths';
import { lastLines, pidAlive, runServerScript, waitAllGone } from './pids';
import type { ScriptResult } from './pids';

export { pidAlive } from './pids';

/**
 * A local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager; no kubelet),
 * started and stopped through scripts/kube.sh, for the demo and the integration tests.
 *
 * With `external` (a kubeconfig path) nothing is started or stopped and that cluster is used.
 * Callers decide when to pass one: the demo honours KUBECONFIG, the tests only an explicit
 * VIGIL_TEST_KUBECONFIG (test/helpers/kube-cluster.ts), so a developer's everyday KUBECONFIG is
 * never the target of a test that creates and deletes namespaces.
 */

export interface StartKubeOptions {
  /** Data dir (PKI, kubeconfigs, etcd data, logs, audit.log, *.pid); default: a fresh temp dir that stop() removes. */
  dataDir?: string;
  /** Kubeconfig of an existing cluster to use instead of starting one. */
  external?: string;
  /** Limit for building the binaries when they are missing; default 30 min (a cold build is ~8 min on 2 cores). */
  installTimeoutMs?: number;
  /** Limit for the start itself, readiness included; default 120 s. */
  timeoutMs?: number;
  /** The cluster is stopped by scripts/kube.sh's watchdog once this PID exits; default this process. */
  ownerPid?: number;
  /** Keep a temp data dir after stop() (to read the logs). */
  keepData?: boolean;
  /** Environment for the script; default process.env without KUBECONFIG. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines of a first-time build (the script's stderr), e.g. for the demo. */
  onProgress?: (line: string) => void;
}

export interface KubePids {
  etcd: number;
  apiserver: number;
  controllerManager: number;
}

export interface KubeCluster {
  /** Path of the admin kubeconfig (client certificate in system:masters). */
  kubeconfigPath: string;
  /** A client-node KubeConfig loaded from kubeconfigPath. */
  kubeConfig: KubeConfig;
  /** The API server's audit log (JSON lines, one per mutating request); undefined for an external cluster. */
  auditLogPath: string | undefined;
  /** The data dir; undefined for an external cluster. */
  dataDir: string | undefined;
  /** The servers' PIDs; undefined for an external cluster. */
  pids: KubePids | undefined;
  /** True when an existing cluster is used. */
  external: boolean;
  /** The kubectl to use with this cluster (within one minor version of the server). */
  kubectl: string;
  /** Stops the servers by PID (TERM, then KILL) and waits until they are gone. Idempotent; a no-op when external. */
  stop(): Promise<void>;
}

const SCRIPT = fromRoot('scripts', 'kube.sh');
const DEFAULT_INSTALL_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_S = 20;

/** Runs scripts/kube.sh; stderr lines go to onStderr as they come (install progress). */
export function runKubeScript(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv, onStderr?: (line: string) => void): Promise<ScriptResult> {
  return runServerScript(SCRIPT, args, timeoutMs, env, onStderr);
}

const tail = lastLines;

async function readPid(dataDir: string, name: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, `${name}.pid`), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function readPids(dataDir: string): Promise<KubePids | undefined> {
  const [etcd, apiserver, controllerManager] = await Promise.all(
    ['etcd', 'kube-apiserver', 'kube-controller-manager'].map((n) => readPid(dataDir, n)),
  );
  if (etcd === undefined || apiserver === undefined || controllerManager === undefined) return undefined;
  return { etcd, apiserver, controllerManager };
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The environment the script runs with: the caller's, minus KUBECONFIG (which would mean "use that cluster"). */
function scriptEnv(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const e = { ...(env ?? process.env) };
  delete e.KUBECONFIG;
  return e;
}

/** The kubectl scripts/kube.sh picked (KUBECTL_BIN, the built one, or a fitting one on PATH). */
export async function kubectlPath(env?: NodeJS.ProcessEnv): Promise<string> {
  const res = await runKubeScript(['bin', 'kubectl'], 60_000, scriptEnv(env));
  const path = res.stdout.trim();
  if (res.code !== 0 || !path) throw new Error(`scripts/kube.sh bin kubectl failed:\n${tail(res.stderr)}`);
  return path;
}

/** Builds the pinned binaries unless present (a no-op then). Throws with the build's output on failure. */
export async function installKube(opts: Pick<StartKubeOptions, 'installTimeoutMs' | 'env' | 'onProgress'> = {}): Promise<void> {
  const timeoutMs = opts.installTimeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS;
  const res = await runKubeScript(['install'], timeoutMs, scriptEnv(opts.env), opts.onProgress);
  if (res.code !== 0) {
    throw new Error(`scripts/kube.sh install ${res.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${res.code ?? 'a signal'}`}\n${tail(res.stderr)}`);
  }
}

/** Starts a cluster (or adopts `external`). Throws with the script's output and the server log tails on failure. */
export async function startKubeCluster(opts: StartKubeOptions = {}): Promise<KubeCluster> {
  const env = scriptEnv(opts.env);
  if (opts.external !== undefined) {
    const kubeConfig = loadKubeConfig(opts.external);
    if (!kubeConfig.getCurrentCluster()) throw new Error(`${opts.external} names no current cluster`);
    return {
      kubeconfigPath: opts.external,
      kubeConfig,
      auditLogPath: undefined,
      dataDir: undefined,
      pids: undefined,
      external: true,
      kubectl: await kubectlPath(env),
      stop: async () => {},
    };
  }

  await installKube(opts);
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-kube-')));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  // The script's own readiness wait ends before ours, so its error (with the log tails) is what we see.
  const readySeconds = Math.max(10, Math.floor((timeoutMs - 10_000) / 1000));
  // --owner-pid: the script's watchdog stops the servers once the owner is gone, so a test run that
  // dies or times out without stop() leaves nothing running (jest's sandboxed process object never
  // fires 'exit' listeners, so an exit handler here would not do).
  const owner = opts.ownerPid ?? process.pid;
  const args = ['start', '--data', dataDir, '--timeout', String(readySeconds), '--owner-pid', String(owner)];
  const res = await runKubeScript(args, timeoutMs, env);
  const line = res.stdout.split('\n').find((l) => l.startsWith('KUBECONFIG='));
  const pids = await readPids(dataDir);

  if (res.code !== 0 || line === undefined || pids === undefined) {
    // The servers run in their own session, so a script killed on a timeout leaves them running.
    await runKubeScript(['stop', '--data', dataDir, '--timeout', '5'], 60_000, env);
    const why = res.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${res.code ?? 'a signal'}`;
    if (ownDir && !opts.keepData) await rm(dataDir, { recursive: true, force: true });
    throw new Error(`scripts/kube.sh start ${why}${line === undefined ? ' without printing KUBECONFIG=' : ''}\n--- script stderr ---\n${tail(res.stderr, 60)}`);
  }

  const kubeconfigPath = line.slice('KUBECONFIG='.length);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const r = await runKubeScript(['stop', '--data', dataDir, '--timeout', String(STOP_TIMEOUT_S)], (STOP_TIMEOUT_S * 3 + 30) * 1000, env);
      const all = [pids.controllerManager, pids.apiserver, pids.etcd];
      // The script kills by PID too; this is the fallback when it could not (timeout, missing ps, ...).
      if (!(await waitAllGone(all, 5_000))) {
        for (const pid of all.filter(pidAlive)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      if (!(await waitAllGone(all, 10_000))) {
        throw new Error(`Kubernetes servers ${all.filter(pidAlive).join(', ')} still running after stop\n${tail(r.stderr)}`);
      }
      if (ownDir && !opts.keepData) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    return {
      kubeconfigPath,
      kubeConfig: loadKubeConfig(kubeconfigPath),
      auditLogPath: join(dataDir, 'audit.log'),
      dataDir,
      pids,
      external: false,
      kubectl: await kubectlPath(env),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
