import { readFile } from 'node:fs/promises';
import { startKubeCluster } from '../../lib/devstack/kube-cluster';
import type { KubeCluster, StartKubeOptions } from '../../lib/devstack/kube-cluster';

/**
 * A real Kubernetes control plane for a jest suite (scripts/kube.sh: etcd, kube-apiserver with
 * RBAC and an audit log, kube-controller-manager; no kubelet, so pods stay Pending unless
 * test/helpers/kube-seed.ts marks them Running).
 *
 *   let cluster: KubeCluster;
 *   beforeAll(async () => { cluster = await startTestKube(); }, KUBE_START_TIMEOUT_MS);
 *   afterAll(() => cluster?.stop(), KUBE_STOP_TIMEOUT_MS);
 *   cluster.kubeConfig          admin KubeConfig (system:masters) for @kubernetes/client-node
 *   cluster.kubeconfigPath      the same as a file, for kubectl / helm / child processes
 *   cluster.auditLogPath        JSON lines, one per mutating request; read with readAudit()
 *
 * One cluster per suite at most (a second start in the same test file throws): each costs
 * ~450 MB RSS. The servers are stopped by PID in stop(), and by scripts/kube.sh's watchdog if
 * the jest worker dies first. VIGIL_TEST_KUBECONFIG names an existing cluster to use instead
 * (the ambient KUBECONFIG is deliberately ignored: tests create and delete namespaces).
 */

export type { KubeCluster } from '../../lib/devstack/kube-cluster';

/** beforeAll timeout: covers a first-time build of the binaries (CI installs them before jest). */
export const KUBE_START_TIMEOUT_MS = 35 * 60_000;
export const KUBE_STOP_TIMEOUT_MS = 120_000;

// Module state is per test file in jest (each file gets its own module registry).
let startedInThisSuite = false;

export async function startTestKube(opts: Omit<StartKubeOptions, 'external'> = {}): Promise<KubeCluster> {
  if (startedInThisSuite) throw new Error('one Kubernetes cluster per test suite: reuse the one started in beforeAll');
  startedInThisSuite = true;
  const external = process.env.VIGIL_TEST_KUBECONFIG?.trim() || undefined;
  return startKubeCluster({ ...opts, external });
}

/** One audit event as kube-apiserver writes it (audit.k8s.io/v1 Event, JSON format); only the fields tests read. */
export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string };
  responseStatus?: { code?: number };
  requestObject?: unknown;
  responseObject?: unknown;
}

export interface AuditFilter {
  verb?: string | string[];
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Exact username, e.g. system:serviceaccount:vigil:vigil-remediation. */
  user?: string;
}

/** The audit log's events matching filter (the policy logs every mutating request at ResponseComplete). */
export async function readAudit(cluster: KubeCluster, filter: AuditFilter = {}): Promise<AuditEvent[]> {
  if (!cluster.auditLogPath) throw new Error('no audit log: an external cluster (VIGIL_TEST_KUBECONFIG) is in use');
  const text = await readFile(cluster.auditLogPath, 'utf8');
  const verbs = filter.verb === undefined ? undefined : ([] as string[]).concat(filter.verb);
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter(
      (e) =>
        (verbs === undefined || verbs.includes(e.verb)) &&
        (filter.resource === undefined || e.objectRef?.resource === filter.resource) &&
        (filter.subresource === undefined || e.objectRef?.subresource === filter.subresource) &&
        (filter.namespace === undefined || e.objectRef?.namespace === filter.namespace) &&
        (filter.name === undefined || e.objectRef?.name === filter.name) &&
        (filter.user === undefined || e.user.username === filter.user),
    );
}
