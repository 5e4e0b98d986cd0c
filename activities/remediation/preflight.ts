import type { ActionTarget, Asset, PreflightRecord } from '../../contracts';
import type { KubeApi, KubeObject } from './kube/api';
import type { RemediationGuards } from './guards';

/** The verified live target every actionner plans against: the pod as the API server has it now. */
export interface LiveTarget {
  pod: KubeObject;
  record: PreflightRecord;
  /** The top controller (Deployment, StatefulSet, DaemonSet, Job, CronJob, or a bare ReplicaSet), null for a bare pod. */
  workload: { apiVersion: string; kind: string; name: string; uid: string } | null;
}

export interface Refusal {
  /** Stable reason code: metrics label and what the escalation says. */
  code: string;
  reason: string;
}

export type Verified = { ok: true; target: LiveTarget } | ({ ok: false } & Refusal);

const HEX = /^[0-9a-f]+$/;

interface ContainerStatus {
  containerID?: string;
}
interface PodFields {
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
}

/** The pod's container ids without the runtime prefix (`containerd://<64 hex>` → `<64 hex>`). */
export function containerIdsOf(pod: KubeObject): string[] {
  const s = (pod as PodFields).status ?? {};
  return [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])]
    .map((c) => (c.containerID ?? '').replace(/^[a-z0-9-]+:\/\//, '').toLowerCase())
    .filter((id) => id.length > 0);
}

/**
 * Falco names a container by its 12-character short id, the kubelet by the full one: the alert's
 * id matches when it is at least 12 hex characters and a prefix of one of the pod's ids.
 */
export function containerIdMatches(alertId: string, podIds: readonly string[]): boolean {
  const id = alertId.trim().toLowerCase();
  return id.length >= 12 && HEX.test(id) && podIds.some((full) => full.startsWith(id));
}

export function isHealthy(pod: KubeObject): boolean {
  const s = (pod as PodFields).status;
  return !pod.metadata.deletionTimestamp && s?.phase === 'Running' && (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const controllerOf = (o: KubeObject) => (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);

/** Pod → ReplicaSet → Deployment, StatefulSet, DaemonSet, Job → CronJob; stops where an owner is gone. */
async function ownerChain(api: KubeApi, pod: KubeObject, namespace: string): Promise<KubeObject[]> {
  const chain: KubeObject[] = [pod];
  for (let depth = 0; depth < 4; depth++) {
    const ref = controllerOf(chain[chain.length - 1] as KubeObject);
    if (!ref) break;
    const owner = await api.read({ apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name });
    if (!owner || owner.metadata.uid !== ref.uid) break;
    chain.push({ ...owner, apiVersion: ref.apiVersion, kind: ref.kind });
  }
  return chain;
}

/** Healthy pods under the same controller as the target (the target included), null for a bare pod. */
async function healthyReplicas(api: KubeApi, pod: KubeObject, namespace: string): Promise<number | null> {
  const ref = controllerOf(pod);
  if (!ref) return null;
  const pods = await api.list('v1', 'Pod', namespace);
  return pods.filter((p) => controllerOf(p)?.uid === ref.uid && isHealthy(p)).length;
}

/**
 * Pre-flight against the live object, before any write: the namespace is not protected, the
 * target is the alert's own pod, the pod exists, and the alert's facts are this pod's (its
 * container id is one of the pod's; only where either side has no container id, the node).
 * A refusal names why; API errors (403, unreachable) propagate and fail the action.
 */
export async function verifyTarget(api: KubeApi, target: ActionTarget, subject: Asset | undefined, guards: RemediationGuards): Promise<Verified> {
  if (guards.protectedNamespaces.includes(target.namespace)) {
    return { ok: false, code: 'protected_namespace', reason: `namespace ${target.namespace} is protected (${guards.source}); Vigil never acts there` };
  }
  if (!target.pod) return { ok: false, code: 'no_pod_target', reason: 'the action names no pod' };
  if (!subject || subject.kind !== 'pod' || !subject.pod) return { ok: false, code: 'no_alert_facts', reason: 'the alert names no pod, so nothing can be checked against the live object' };
  if (subject.namespace !== target.namespace || subject.pod !== target.pod) {
    return { ok: false, code: 'target_not_alert_pod', reason: `the action targets ${target.namespace}/${target.pod}, the alert is about ${subject.namespace ?? '?'}/${subject.pod}` };
  }
  const pod = await api.read({ apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.pod });
  if (!pod) return { ok: false, code: 'pod_not_found', reason: `pod ${target.namespace}/${target.pod} does not exist` };
  const node = (pod as PodFields).spec?.nodeName ?? null;
  const podIds = containerIdsOf(pod);
  let matchedBy: PreflightRecord['matchedBy'];
  if (subject.container && podIds.length > 0) {
    if (!containerIdMatches(subject.container, podIds)) {
      return { ok: false, code: 'container_mismatch', reason: `the alert's container ${subject.container.slice(0, 64)} is not one of pod ${target.namespace}/${target.pod}'s containers` };
    }
    matchedBy = 'container_id';
  } else if (subject.node && node && subject.node === node) {
    matchedBy = 'node';
  } else {
    const why = subject.container ? 'the pod reports no container ids' : 'the alert carries no container id';
    return { ok: false, code: 'facts_mismatch', reason: `${why}, and the alert's node ${subject.node ?? '(none)'} is not the pod's node ${node ?? '(unscheduled)'}` };
  }
  const chain = await ownerChain(api, pod, target.namespace);
  const top = chain.length > 1 ? (chain[chain.length - 1] as KubeObject) : null;
  const record: PreflightRecord = {
    pod: { namespace: target.namespace, name: target.pod, uid: pod.metadata.uid ?? '', node },
    matchedBy,
    owners: chain.slice(1).map((o) => ({ apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', name: o.metadata.name, uid: o.metadata.uid ?? '' })),
    healthyReplicas: await healthyReplicas(api, pod, target.namespace),
  };
  const workload = top ? { apiVersion: top.apiVersion ?? '', kind: top.kind ?? '', name: top.metadata.name, uid: top.metadata.uid ?? '' } : null;
  return { ok: true, target: { pod: { ...pod, apiVersion: 'v1', kind: 'Pod' }, record, workload } };
}
