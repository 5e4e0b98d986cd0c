import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { remediationIdentity } from '../../lib/devstack/demo-cluster';
import type { KubeCluster } from '../../lib/devstack/kube-cluster';
import { pidAlive, startKubeCluster } from '../../lib/devstack/kube-cluster';
import { ensureNode, markPodRunning } from '../../lib/devstack/kube-seed';
import type { Sent } from './stream';

/**
 * The Kubernetes side of the fault stack: the local control plane (scripts/kube.sh, RBAC and an
 * audit log), the remediation agent's own ServiceAccount token, the scenario's pods seeded as
 * Running with the container ids the alerts carry, the API server stopped and started again on
 * its own port, and the audit log read as the ground truth of what was written.
 */
export interface FaultKube {
  cluster: KubeCluster;
  /** Env for the remediation worker alone: its token kubeconfig. */
  remediationEnv: NodeJS.ProcessEnv;
  /** The remediation identity's username as the audit log records it. */
  username: string;
  seedPods(sent: Sent[]): Promise<void>;
  /** Stops kube-apiserver (etcd and the controller manager keep running), waits downMs, starts it again with the same command line and port. */
  restartApiServer(downMs: number): Promise<void>;
  /** The control plane's PIDs now, by role (the API server's changes when it is restarted). */
  pids(): Record<string, number>;
  /** Lines in the audit log now: a scenario counts the writes after its own start. */
  auditMark(): number;
  /** The remediation identity's writes logged after `mark`, failed ones included (its access reviews are not writes: they store nothing). */
  writesSince(mark: number): AuditWrite[];
  /**
   * Resolves once the audit log has stopped growing (at most 10 s): the API server logs a request's
   * ResponseComplete stage after the client already has its answer, so count only after this.
   */
  auditQuiet(): Promise<void>;
  /** The remediation identity's SelfSubjectAccessReviews after `mark`: each is a 403 it checked (activities/remediation/failure.ts). */
  accessReviewsSince(mark: number): number;
  stop(): Promise<void>;
}

export interface AuditWrite {
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  /** The request body as sent: two identical bodies to one object is a write applied twice. */
  body: string;
  /** The HTTP status the API server logged: a write whose client was killed mid-request can log an error and still be stored. */
  code: number;
}

interface AuditLine {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestObject?: unknown;
}

const NODE = 'node-a';
const MUTATING = new Set(['create', 'patch', 'update', 'delete']);
/** A SelfSubjectAccessReview is a `create` in the audit log, but it asks a question and stores nothing. */
const isReview = (e: AuditLine) => e.objectRef?.apiGroup === 'authorization.k8s.io';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (at most 10 s) until the audit log has not grown for one second. */
async function logQuiet(readLines: () => string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = readLines().length;
  while (Date.now() < deadline) {
    await sleep(1000);
    const now = readLines().length;
    if (now === last) return;
    last = now;
  }
}

/** Polls until the admin identity can list namespaces again. */
async function apiReady(cluster: KubeCluster, timeoutMs: number): Promise<void> {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await core.listNamespace({ limit: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready within ${timeoutMs} ms: ${(err as Error).message}`);
      await sleep(250);
    }
  }
}

export async function startFaultKube(dataDir: string): Promise<FaultKube> {
  const cluster = await startKubeCluster({ dataDir, keepData: true });
  // The API servers this harness started again itself (the script only knows the first one's PID).
  const restarted: number[] = [];
  const pidFile = join(dataDir, 'kube-apiserver.pid');
  const auditPath = cluster.auditLogPath ?? join(dataDir, 'audit.log');
  const stop = async () => {
    for (const pid of restarted.filter(pidAlive)) process.kill(pid, 'SIGTERM');
    await cluster.stop();
    for (const pid of restarted.filter(pidAlive)) process.kill(pid, 'SIGKILL');
  };
  try {
    const identity = await remediationIdentity(cluster.kubeConfig, join(dataDir, 'remediation.kubeconfig'));
    await ensureNode(cluster.kubeConfig, NODE);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const readLines = () => {
      try {
        return readFileSync(auditPath, 'utf8').split('\n').filter((l) => l.trim());
      } catch {
        return [];
      }
    };
    const mine = (mark: number) =>
      readLines()
        .slice(mark)
        .map((l) => JSON.parse(l) as AuditLine)
        .filter((e) => e.user.username === identity.username);
    return {
      cluster,
      remediationEnv: { KUBECONFIG: identity.kubeconfigPath },
      username: identity.username,
      async seedPods(sent) {
        for (const s of sent) {
          if (!s.pod) continue;
          const { name, containerId } = s.pod;
          await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name, labels: { app: name } }, spec: { nodeName: NODE, containers: [{ name: 'app', image: 'alpine:3.20' }] } } });
          await markPodRunning(cluster.kubeConfig, 'default', name, { containerIds: { app: containerId } });
        }
      },
      async restartApiServer(downMs) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
        const env = Object.fromEntries(
          readFileSync(`/proc/${pid}/environ`, 'utf8')
            .split('\0')
            .filter((kv) => kv.includes('='))
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        );
        process.kill(pid, 'SIGTERM');
        const gone = Date.now() + 20_000;
        while (pidAlive(pid) && Date.now() < gone) await sleep(100);
        if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
        await sleep(downMs);
        const log = openSync(join(dataDir, 'kube-apiserver.log'), 'a');
        // Its own session, as scripts/kube.sh starts it, so it outlives nothing it should not.
        const child = spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: ['ignore', log, log] });
        closeSync(log);
        child.unref();
        if (child.pid === undefined) throw new Error('kube-apiserver did not start again');
        restarted.push(child.pid);
        writeFileSync(pidFile, `${child.pid}\n`);
        await apiReady(cluster, 60_000);
      },
      pids() {
        const out: Record<string, number> = {};
        for (const role of ['etcd', 'kube-apiserver', 'kube-controller-manager']) {
          try {
            const pid = Number(readFileSync(join(dataDir, `${role}.pid`), 'utf8').trim());
            if (Number.isInteger(pid) && pid > 0) out[role] = pid;
          } catch {
            // no pid file: that server is not running
          }
        }
        return out;
      },
      auditMark: () => readLines().length,
      auditQuiet: () => logQuiet(readLines),
      writesSince(mark) {
        return mine(mark)
          .filter((e) => MUTATING.has(e.verb) && !isReview(e))
          .map((e) => ({
            verb: e.verb,
            resource: `${e.objectRef?.resource ?? '?'}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`,
            namespace: e.objectRef?.namespace ?? '',
            name: e.objectRef?.name ?? '',
            body: JSON.stringify(e.requestObject ?? null),
            code: e.responseStatus?.code ?? 0,
          }));
      },
      accessReviewsSince: (mark) => mine(mark).filter(isReview).length,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Writes that reached the API server more than once with the same body on the same object. */
export function writesAppliedTwice(writes: AuditWrite[]): { count: number; examples: string[] } {
  const seen = new Map<string, number>();
  for (const w of writes.filter((x) => x.code < 300)) {
    const key = `${w.verb} ${w.resource} ${w.namespace}/${w.name} ${w.body}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const twice = [...seen.entries()].filter(([, n]) => n > 1);
  return { count: twice.reduce((sum, [, n]) => sum + n - 1, 0), examples: twice.slice(0, 3).map(([k, n]) => `${k.slice(0, 120)} x${n}`) };
}
