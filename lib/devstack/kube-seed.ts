import { createHash } from 'node:crypto';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Container, V1ContainerStatus, V1Deployment, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';

/**
 * Makes a control plane without a kubelet (scripts/kube.sh) hold what Falco alerts talk about:
 * Nodes, and Pods that run with container IDs, owned by a ReplicaSet owned by a Deployment.
 *
 * Used at run time by the demo and re-exported for tests (test/helpers/kube-seed.ts). API:
 *   - fullContainerId(id) / runtimeContainerId(id) / shortContainerId(statusId): Falco's
 *     `container.id` is the first 12 hex digits of the runtime's 64; the pod status holds
 *     `containerd://<64 hex>`. A 12-digit id is extended deterministically (sha256 of it).
 *   - ensureNamespace(kc, name), ensureNode(kc, name): create if missing (a Node as a kubelet
 *     would register it, status Ready).
 *   - markPodRunning(kc, ns, pod, { containerIds, nodeName? }): writes the status subresource as
 *     a kubelet would: Running, Ready, a containerStatus per container with its ID.
 *   - seedDeployment(kc, spec): a Deployment whose ReplicaSet and Pods carry the exact names
 *     given (alerts name pods; a controller would generate other names), with real owner
 *     references, all Running with the given container IDs. See its comment for how.
 *
 * No kubelet: a graceful delete of a pod bound to a Node never completes (the pod stays
 * Terminating, and so does its namespace); delete such pods with gracePeriodSeconds 0.
 *
 * Every function talks to the API server with the KubeConfig given (admin rights needed: pod
 * status and Nodes are kubelet/admin writes) and throws on any answer other than success.
 */

const HEX12 = /^[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** The 64-hex runtime id for a Falco short id (12 hex, extended deterministically) or a full one (returned as is). */
export function fullContainerId(id: string): string {
  if (HEX64.test(id)) return id;
  if (!HEX12.test(id)) throw new Error(`not a container id (12 or 64 lowercase hex digits): ${JSON.stringify(id)}`);
  return id + createHash('sha256').update(id).digest('hex').slice(0, 52);
}

/** What a kubelet with containerd writes in status.containerStatuses[].containerID. */
export function runtimeContainerId(id: string): string {
  return `containerd://${fullContainerId(id)}`;
}

/** Falco's `container.id` for a status containerID (`<runtime>://<64 hex>`). */
export function shortContainerId(statusId: string): string {
  const m = /^[a-z0-9-]+:\/\/([0-9a-f]{64})$/.exec(statusId);
  if (!m?.[1]) throw new Error(`not a runtime container id: ${JSON.stringify(statusId)}`);
  return m[1].slice(0, 12);
}

function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

async function createUnlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (statusCode(err) !== 409) throw err;
  }
}

/** Read-modify-write with retries on 409 Conflict (a controller updated the object meanwhile). */
async function update<T>(read: () => Promise<T>, write: (current: T) => Promise<unknown>, attempts = 10): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await write(await read());
      return;
    } catch (err) {
      if (statusCode(err) !== 409 || i >= attempts) throw err;
    }
  }
}

export async function ensureNamespace(kc: KubeConfig, name: string, labels: Record<string, string> = {}): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await createUnlessExists(() => core.createNamespace({ body: { metadata: { name, labels } } }));
}

/** A Node as a kubelet registers it (Ready, an internal IP), so pods bound to it are not garbage-collected as orphans. */
export async function ensureNode(kc: KubeConfig, name: string, internalIP = '10.240.0.10'): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await createUnlessExists(() => core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } } } }));
  const now = new Date();
  await update(
    () => core.readNode({ name }),
    (node) =>
      core.replaceNodeStatus({
        name,
        body: {
          ...node,
          status: {
            ...node.status,
            addresses: [
              { type: 'InternalIP', address: internalIP },
              { type: 'Hostname', address: name },
            ],
            conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'seeded by vigil (no kubelet)', lastHeartbeatTime: now, lastTransitionTime: now }],
            capacity: { cpu: '8', memory: '32Gi', pods: '110' },
            allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
          },
        },
      }),
  );
}

export interface MarkRunningOptions {
  /** Container name -> id (12 or 64 hex); containers not named get an id derived from namespace/pod/container. */
  containerIds?: Record<string, string>;
  podIP?: string;
  hostIP?: string;
}

function derivedId(namespace: string, pod: string, container: string): string {
  return createHash('sha256').update(`${namespace}/${pod}/${container}`).digest('hex');
}

function runningStatus(c: V1Container, id: string, startedAt: Date): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image ?? '',
    imageID: `${c.image ?? ''}@sha256:${createHash('sha256').update(c.image ?? '').digest('hex')}`,
    containerID: runtimeContainerId(id),
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt } },
  };
}

/** Writes a kubelet-like Running/Ready status with container IDs through the pod's status subresource; returns the pod after. */
export async function markPodRunning(kc: KubeConfig, namespace: string, name: string, opts: MarkRunningOptions = {}): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const ids = opts.containerIds ?? {};
  let written: V1Pod | undefined;
  await update(
    () => core.readNamespacedPod({ name, namespace }),
    async (pod) => {
      const containers = pod.spec?.containers ?? [];
      for (const n of Object.keys(ids)) {
        if (!containers.some((c) => c.name === n)) throw new Error(`pod ${namespace}/${name} has no container ${n}`);
      }
      const now = new Date();
      const conditions = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: now,
      }));
      written = await core.replaceNamespacedPodStatus({
        name,
        namespace,
        body: {
          ...pod,
          status: {
            phase: 'Running',
            conditions,
            hostIP: opts.hostIP ?? '10.240.0.10',
            podIP: opts.podIP,
            podIPs: opts.podIP ? [{ ip: opts.podIP }] : undefined,
            startTime: now,
            qosClass: 'BestEffort',
            containerStatuses: containers.map((c) => runningStatus(c, ids[c.name] ?? derivedId(namespace, name, c.name), now)),
          },
        },
      });
    },
  );
  if (!written) throw new Error(`pod ${namespace}/${name}: status not written`);
  return written;
}

export interface SeedContainer {
  name: string;
  image: string;
}

export interface SeedPod {
  name: string;
  /** The Node the pod runs on (created when missing). */
  nodeName: string;
  /** Container name -> id (Falco short id or full); others derived. */
  containerIds?: Record<string, string>;
  podIP?: string;
}

export interface SeedDeploymentSpec {
  namespace: string;
  /** Deployment name. */
  name: string;
  /** The pod-template-hash the pods' names carry (`<name>-<hash>-<suffix>`); the ReplicaSet is `<name>-<hash>`. */
  podTemplateHash: string;
  containers: SeedContainer[];
  pods: SeedPod[];
  /** Extra labels on the pod template (the selector is always app=<name>). */
  labels?: Record<string, string>;
  timeoutMs?: number;
}

export interface SeededDeployment {
  deployment: V1Deployment;
  replicaSet: V1ReplicaSet;
  pods: V1Pod[];
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A Deployment -> ReplicaSet -> Pods chain whose names are the ones given, as the controllers
 * would keep it. Controllers generate pod names, so the names alerts carry are made this way:
 *   1. the Deployment is created paused (its controller then creates no ReplicaSet of its own);
 *   2. the pods are created with the template's labels and no owner (orphans), bound to their Node;
 *   3. the ReplicaSet `<name>-<hash>` is created, owned by the Deployment, with the pods'
 *      count as replicas: the ReplicaSet controller adopts the orphans (real owner references)
 *      and, having enough, creates none;
 *   4. pod status is written as a kubelet would (Running, Ready, container IDs);
 *   5. the Deployment is resumed: its controller recognises the ReplicaSet as the one for its
 *      template (same template but for pod-template-hash) and keeps it.
 * Then the chain is checked: every pod owned by the ReplicaSet, only the named pods, the
 * ReplicaSet owned by the Deployment, all replicas ready. Idempotent on a cluster already seeded.
 */
export async function seedDeployment(kc: KubeConfig, spec: SeedDeploymentSpec): Promise<SeededDeployment> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const { namespace, name, podTemplateHash: hash } = spec;
  const timeoutMs = spec.timeoutMs ?? 30_000;
  if (spec.pods.length === 0) throw new Error(`seedDeployment ${namespace}/${name}: no pods`);
  const rsName = `${name}-${hash}`;
  for (const p of spec.pods) {
    if (!p.name.startsWith(`${rsName}-`)) throw new Error(`pod ${p.name} is not named ${rsName}-<suffix>`);
  }
  const selector = { app: name };
  const templateLabels = { ...spec.labels, ...selector };
  const containers: V1Container[] = spec.containers.map((c) => ({ name: c.name, image: c.image }));
  const replicas = spec.pods.length;

  await ensureNamespace(kc, namespace);
  for (const node of new Set(spec.pods.map((p) => p.nodeName))) await ensureNode(kc, node);

  await createUnlessExists(() =>
    apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, labels: selector },
        spec: { paused: true, replicas, selector: { matchLabels: selector }, template: { metadata: { labels: templateLabels }, spec: { containers } } },
      },
    }),
  );
  const deployment = await apps.readNamespacedDeployment({ name, namespace });
  const podLabels = { ...templateLabels, 'pod-template-hash': hash };

  for (const p of spec.pods) {
    await createUnlessExists(() =>
      core.createNamespacedPod({ namespace, body: { metadata: { name: p.name, labels: podLabels }, spec: { nodeName: p.nodeName, containers } } }),
    );
  }
  // Let the ReplicaSet controller's pod cache see the orphans before the ReplicaSet exists, so it
  // adopts them instead of creating pods of its own.
  await waitFor(`pods of ${rsName} listed`, timeoutMs, async () => {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${name},pod-template-hash=${hash}` });
    return list.items.length >= replicas ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 300));

  await createUnlessExists(() =>
    apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: {
          name: rsName,
          labels: podLabels,
          annotations: { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': String(replicas) },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployment.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true },
          ],
        },
        spec: {
          replicas,
          selector: { matchLabels: { ...selector, 'pod-template-hash': hash } },
          template: { metadata: { labels: podLabels }, spec: { containers } },
        },
      },
    }),
  );
  const replicaSet = await apps.readNamespacedReplicaSet({ name: rsName, namespace });
  const rsUid = replicaSet.metadata?.uid;

  const named = new Set(spec.pods.map((p) => p.name));
  await waitFor(`${rsName} to adopt its pods`, timeoutMs, async () => {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `app=${name}` });
    const adopted = list.items.filter((p) => named.has(p.metadata?.name ?? '') && p.metadata?.ownerReferences?.some((o) => o.controller && o.uid === rsUid));
    return adopted.length === replicas ? true : undefined;
  });

  for (const p of spec.pods) await markPodRunning(kc, namespace, p.name, { containerIds: p.containerIds, podIP: p.podIP });

  await update(
    () => apps.readNamespacedDeployment({ name, namespace }),
    (d) => apps.replaceNamespacedDeployment({ name, namespace, body: { ...d, spec: { ...d.spec, paused: false, selector: d.spec?.selector ?? { matchLabels: selector }, template: d.spec?.template ?? {} } } }),
  );

  // The chain as the controllers keep it: exactly the named pods, all ready, nothing replaced.
  const pods = await waitFor(`${namespace}/${name} to settle with ${replicas} ready replicas`, timeoutMs, async () => {
    const [d, rs, list] = await Promise.all([
      apps.readNamespacedDeployment({ name, namespace }),
      apps.readNamespacedReplicaSet({ name: rsName, namespace }),
      core.listNamespacedPod({ namespace, labelSelector: `app=${name}` }),
    ]);
    const live = list.items.filter((p) => p.metadata?.deletionTimestamp === undefined);
    const settled =
      (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) &&
      d.status?.readyReplicas === replicas &&
      rs.status?.readyReplicas === replicas &&
      live.length === replicas &&
      live.every((p) => named.has(p.metadata?.name ?? ''));
    return settled ? live : undefined;
  });
  const rsAfter = await apps.readNamespacedReplicaSet({ name: rsName, namespace });
  if (!rsAfter.metadata?.ownerReferences?.some((o) => o.controller && o.uid === deployment.metadata?.uid)) {
    throw new Error(`${rsName} is not owned by Deployment ${name} after seeding`);
  }
  return { deployment: await apps.readNamespacedDeployment({ name, namespace }), replicaSet: rsAfter, pods };
}
