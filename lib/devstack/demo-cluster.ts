import { readFileSync } from 'node:fs';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { fromRoot } from '../paths';
import { ensureNamespace, ensureNode, markPodRunning, seedDeployment } from './kube-seed';
import type { SeedDeploymentSpec } from './kube-seed';
import { serviceAccountCredentials, writeKubeconfig } from './kube-token';

/**
 * The demo's cluster content, derived from the sample alerts (examples/gate-replay.jsonl): every
 * pod an alert names exists with that name, in that namespace, on the alert's host as its Node,
 * running a container whose status ID starts with the alert's `container.id`. So the facts an
 * alert carries are true of the cluster the demo's remediation acts on, and a pre-flight check
 * comparing them with the live pod passes for the right pod and fails for any other.
 *
 * Pods named `<deployment>-<hash>-<suffix>` get their real owner chain (Deployment -> ReplicaSet
 * `<deployment>-<hash>` -> Pod, see seedDeployment). Other pods (e.g. `cilium-5a4fb`, a DaemonSet's
 * naming) are created bare: a DaemonSet controller would replace pods it did not create.
 *
 * The remediation agent gets its own ServiceAccount (vigil/vigil-remediation) bound to the union
 * of the RBAC the actionners declare (charts/vigil/files/actionner-rbac.json, the chart's source
 * too) and a kubeconfig holding only its TokenRequest token: the demo acts with least privilege.
 */

const POD_OF_DEPLOYMENT = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)-([a-z0-9]{6,10})-([a-z0-9]{5})$/;
const SHORT_ID = /^[0-9a-f]{12}$/;
const UNNAMED_NODE = 'vigil-demo-node';

export interface AlertPod {
  namespace: string;
  pod: string;
  node: string;
  containerId: string;
  image: string;
}

export interface DemoWorkloads {
  deployments: SeedDeploymentSpec[];
  barePods: AlertPod[];
  /** Pods alerts name whose facts could not be seeded (no 12-hex container id, or seen with two ids or on two hosts). */
  skipped: string[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/** The pods alerts name, with their facts; lines that are not JSON alerts are ignored (the gate dead-letters them). */
export function alertPods(jsonl: string): { pods: AlertPod[]; skipped: string[] } {
  const pods = new Map<string, AlertPod>();
  const skipped = new Set<string>();
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let alert: { hostname?: unknown; output_fields?: Record<string, unknown> };
    try {
      alert = JSON.parse(line) as typeof alert;
    } catch {
      continue;
    }
    const f = alert.output_fields;
    if (typeof f !== 'object' || f === null) continue;
    const namespace = str(f['k8s.ns.name']);
    const pod = str(f['k8s.pod.name']);
    if (!namespace || !pod) continue;
    const key = `${namespace}/${pod}`;
    const containerId = str(f['container.id']);
    // An alert without a host says nothing about the node: any node keeps its facts true.
    const node = str(alert.hostname) ?? UNNAMED_NODE;
    if (!containerId || !SHORT_ID.test(containerId)) {
      skipped.add(key);
      continue;
    }
    const seen = pods.get(key);
    if (seen && (seen.containerId !== containerId || seen.node !== node)) {
      skipped.add(key);
      continue;
    }
    const repo = str(f['container.image.repository']) ?? 'registry.example/unknown';
    const tag = str(f['container.image.tag']) ?? 'latest';
    pods.set(key, seen ?? { namespace, pod, node, containerId, image: `${repo}:${tag}` });
  }
  for (const k of skipped) pods.delete(k);
  return { pods: [...pods.values()], skipped: [...skipped].sort() };
}

/** Groups the pods into Deployments (by name) and bare pods. */
export function demoWorkloads(jsonl: string): DemoWorkloads {
  const { pods, skipped } = alertPods(jsonl);
  const deployments = new Map<string, SeedDeploymentSpec>();
  const barePods: AlertPod[] = [];
  for (const p of pods) {
    const m = POD_OF_DEPLOYMENT.exec(p.pod);
    const name = m?.[1];
    const hash = m?.[3];
    if (!name || !hash) {
      barePods.push(p);
      continue;
    }
    const key = `${p.namespace}/${name}`;
    let d = deployments.get(key);
    if (d && d.podTemplateHash !== hash) {
      // Two hashes = two ReplicaSets of one Deployment (a rollout): keep the first, the rest bare.
      barePods.push(p);
      continue;
    }
    if (!d) {
      d = { namespace: p.namespace, name, podTemplateHash: hash, containers: [{ name, image: p.image }], pods: [] };
      deployments.set(key, d);
    }
    d.pods.push({ name: p.pod, nodeName: p.node, containerIds: { [name]: p.containerId } });
  }
  return { deployments: [...deployments.values()], barePods, skipped };
}

export interface SeededDemo {
  namespaces: string[];
  nodes: string[];
  deployments: number;
  pods: number;
  barePods: number;
  skipped: string[];
}

/** Seeds the cluster from the alerts file (idempotent: a rerun against the same cluster keeps what exists). */
export async function seedDemoCluster(kc: KubeConfig, alertsFile: string): Promise<SeededDemo> {
  const w = demoWorkloads(readFileSync(alertsFile, 'utf8'));
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = [...new Set([...w.deployments.flatMap((d) => d.pods.map((p) => p.nodeName)), ...w.barePods.map((p) => p.node)])].sort();
  const namespaces = [...new Set([...w.deployments.map((d) => d.namespace), ...w.barePods.map((p) => p.namespace)])].sort();
  for (const n of nodes) await ensureNode(kc, n);
  for (const ns of namespaces) await ensureNamespace(kc, ns);
  // Deployments one at a time: on a 2-core machine the controllers are the bottleneck anyway.
  for (const d of w.deployments) await seedDeployment(kc, d);
  for (const p of w.barePods) {
    const name = p.pod.replace(/-[a-z0-9]{5}$/, '');
    try {
      await core.createNamespacedPod({
        namespace: p.namespace,
        body: { metadata: { name: p.pod, labels: { app: name } }, spec: { nodeName: p.node, containers: [{ name, image: p.image }] } },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
    await markPodRunning(kc, p.namespace, p.pod, { containerIds: { [name]: p.containerId } });
  }
  return {
    namespaces,
    nodes,
    deployments: w.deployments.length,
    pods: w.deployments.reduce((n, d) => n + d.pods.length, 0) + w.barePods.length,
    barePods: w.barePods.length,
    skipped: w.skipped,
  };
}

interface DeclaredRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The union of what the actionners declare, as the chart's generated file holds it. */
export function declaredRemediationRules(file = fromRoot('charts', 'vigil', 'files', 'actionner-rbac.json')): DeclaredRule[] {
  const declared = (JSON.parse(readFileSync(file, 'utf8')) as { actionners?: Record<string, DeclaredRule[]> }).actionners;
  if (!declared || Object.keys(declared).length === 0) throw new Error(`${file} declares no actionner RBAC`);
  return Object.values(declared).flat();
}

export const DEMO_REMEDIATION_SA = { namespace: 'vigil', name: 'vigil-remediation' } as const;

/**
 * The remediation agent's identity in the demo cluster: ServiceAccount, ClusterRole with the
 * declared rules, binding, and a kubeconfig at `kubeconfigPath` holding only its token (12 h).
 */
export async function remediationIdentity(kc: KubeConfig, kubeconfigPath: string): Promise<{ username: string; kubeconfigPath: string }> {
  const { namespace, name } = DEMO_REMEDIATION_SA;
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await ensureNamespace(kc, namespace);
  const ignoreExists = (err: unknown) => {
    if ((err as { code?: number }).code !== 409) throw err;
  };
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name }, automountServiceAccountToken: false } }).catch(ignoreExists);
  const rules = declaredRemediationRules();
  await rbac.createClusterRole({ body: { metadata: { name }, rules } }).catch(async (err: unknown) => {
    ignoreExists(err);
    const current = await rbac.readClusterRole({ name });
    await rbac.replaceClusterRole({ name, body: { ...current, rules } });
  });
  await rbac
    .createClusterRoleBinding({
      body: { metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name, namespace }] },
    })
    .catch(ignoreExists);
  const creds = await serviceAccountCredentials(kc, { namespace, serviceAccount: name, expirationSeconds: 12 * 3600 });
  await writeKubeconfig(creds.kubeConfig, kubeconfigPath);
  return { username: creds.username, kubeconfigPath };
}
