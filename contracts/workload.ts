import type { FalcoAlert, FalcoFieldValue } from './falco';

/**
 * The workload an alert is about: what stays the same across a rollout, a restart or a
 * reschedule. Baselines, windows and incidents key on it, never on a pod name with hashes in it,
 * so "node-exporter reads /etc/shadow" stays normal after node-exporter's pods are replaced.
 *
 * `kind` is the owner's Kubernetes kind when the alert says or the pod name shows it
 * (Deployment, StatefulSet, DaemonSet, Job, CronJob; a `<name>-<5 generated>` pod reads as a
 * DaemonSet unless its labels name a Job), `Pod` for a pod with no recognisable owner,
 * `App`/`Image` for containers known only by label or image, `Host` for host alerts, and the
 * audited resource (`secrets`, `configmaps`, ...) for k8s-audit alerts about non-pod objects.
 * `namespace` is `-` where there is none (hosts, cluster-scoped objects).
 */
export interface Workload {
  namespace: string;
  kind: string;
  name: string;
}

const NO_NAMESPACE = '-';
/** Kubernetes names are at most 253 characters; anything longer is hostile and is clipped. */
const MAX_PART = 253;

/**
 * The alphabet of Kubernetes' generated suffixes (apimachinery's rand.SafeEncodeString: no
 * vowels, no 0/1/3), which is why an ordinary word is almost never mistaken for a hash.
 */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
/**
 * A generated suffix of `n`: in the safe alphabet, or lowercase alphanumerics with at least one
 * digit (older controllers and other tools write hex), which a word seldom is.
 */
const generated = (n: string) => `(?:${SAFE}{${n}}|(?=[a-z]*\\d)[a-z0-9]{${n}})`;
/** `<deployment>-<pod-template-hash>-<5>`; the template hash is 6 to 10 characters. */
const DEPLOYMENT_POD = new RegExp(`^(.+)-${generated('6,10')}-${generated('5')}$`);
/** `<cronjob>-<scheduled minute since epoch>-<5>`: a CronJob's Job's pod. */
const CRONJOB_POD = new RegExp(`^(.+)-\\d{8,10}-${generated('5')}$`);
/** `<cronjob>-<scheduled minute>`: a CronJob's Job (audit alerts name Jobs). */
const CRONJOB_JOB = /^(.+)-\d{8,10}$/;
/** `<statefulset>-<ordinal>`. */
const STATEFULSET_POD = /^(.+)-(\d{1,5})$/;
/** `<daemonset or job or replicaset>-<5>`. */
const GENERATED_POD = new RegExp(`^(.+)-${generated('5')}$`);

/** Resources an audit alert may name, as the workload kind they are. */
const WORKLOAD_RESOURCES: ReadonlyMap<string, string> = new Map([
  ['deployments', 'Deployment'],
  ['statefulsets', 'StatefulSet'],
  ['daemonsets', 'DaemonSet'],
  ['jobs', 'Job'],
  ['cronjobs', 'CronJob'],
]);

function text(v: FalcoFieldValue | undefined): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v.slice(0, MAX_PART) : undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/**
 * Pod labels as Falco prints them: `k8s.pod.labels` is `key:value` pairs separated by commas,
 * sometimes in brackets, or a list of such strings; single labels come as
 * `k8s.pod.label[key]` / `k8s.pod.label.key`.
 */
function label(fields: FalcoAlert['output_fields'], key: string): string | undefined {
  const single = text(fields[`k8s.pod.label[${key}]`]) ?? text(fields[`k8s.pod.label.${key}`]);
  if (single) return single;
  const all = fields['k8s.pod.labels'];
  const items = Array.isArray(all) ? all.map(String) : typeof all === 'string' ? all.replace(/^[[(]|[\])]$/g, '').split(',') : [];
  for (const item of items) {
    const at = item.search(/[:=]/);
    if (at > 0 && item.slice(0, at).trim() === key) {
      const v = item.slice(at + 1).trim();
      if (v) return v.slice(0, MAX_PART);
    }
  }
  return undefined;
}

/** The owner of a pod from what Falco says of it: explicit owner fields, then labels, then the name's shape. */
function podOwner(fields: FalcoAlert['output_fields'], pod: string): { kind: string; name: string } {
  const explicit: Array<[string, string[]]> = [
    ['CronJob', ['k8smeta.cronjob.name', 'k8s.cronjob.name']],
    ['Job', ['k8smeta.job.name', 'k8s.job.name']],
    ['Deployment', ['k8smeta.deployment.name', 'k8s.deployment.name']],
    ['StatefulSet', ['k8smeta.statefulset.name', 'k8s.statefulset.name']],
    ['DaemonSet', ['k8smeta.daemonset.name', 'k8s.daemonset.name']],
  ];
  for (const [kind, names] of explicit) {
    for (const n of names) {
      const v = text(fields[n]);
      if (v) return { kind, name: v };
    }
  }
  const templateHash = label(fields, 'pod-template-hash');
  if (templateHash && pod.includes(`-${templateHash}-`)) return { kind: 'Deployment', name: pod.slice(0, pod.lastIndexOf(`-${templateHash}-`)) };
  const job = label(fields, 'batch.kubernetes.io/job-name') ?? label(fields, 'job-name');
  if (job) return jobOwner(job);
  if (label(fields, 'statefulset.kubernetes.io/pod-name')) {
    const m = STATEFULSET_POD.exec(pod);
    if (m) return { kind: 'StatefulSet', name: m[1]! };
  }
  let m = CRONJOB_POD.exec(pod);
  if (m) return { kind: 'CronJob', name: m[1]! };
  m = DEPLOYMENT_POD.exec(pod);
  if (m) return { kind: 'Deployment', name: m[1]! };
  m = STATEFULSET_POD.exec(pod);
  if (m) return { kind: 'StatefulSet', name: m[1]! };
  m = GENERATED_POD.exec(pod);
  if (m) {
    // The name alone cannot tell a DaemonSet's pod from a bare Job's (labels above catch Jobs that
    // say so); long-lived alert sources are DaemonSets, and the kind must be the one an audit
    // alert about the same object names, or one workload would be two.
    return { kind: 'DaemonSet', name: m[1]! };
  }
  const app = label(fields, 'app.kubernetes.io/name') ?? label(fields, 'app');
  if (app) return { kind: 'App', name: app };
  return { kind: 'Pod', name: pod };
}

function jobOwner(job: string): { kind: string; name: string } {
  const m = CRONJOB_JOB.exec(job);
  return m ? { kind: 'CronJob', name: m[1]! } : { kind: 'Job', name: job };
}

/**
 * The workload of an alert. Deterministic, no I/O: the same alert always names the same
 * workload, and two pods of one Deployment (before and after a rollout) name the same one.
 */
export function workloadOf(alert: FalcoAlert): Workload {
  const f = alert.output_fields;
  const resource = text(f['ka.target.resource']);
  const namespace = text(f['k8s.ns.name']) ?? text(f['ka.target.namespace']) ?? NO_NAMESPACE;
  const pod = text(f['k8s.pod.name']) ?? (resource === 'pods' ? text(f['ka.target.name']) : undefined);
  if (pod) return { namespace, ...podOwner(f, pod) };
  if (resource) {
    const name = text(f['ka.target.name']) ?? '*';
    const kind = WORKLOAD_RESOURCES.get(resource);
    if (kind === 'Job') return { namespace, ...jobOwner(name) };
    if (resource === 'replicasets') {
      // `<deployment>-<pod-template-hash>`: the Deployment is what survives.
      const m = new RegExp(`^(.+)-${generated('6,10')}$`).exec(name);
      if (m) return { namespace, kind: 'Deployment', name: m[1]! };
    }
    return { namespace, kind: kind ?? resource.slice(0, MAX_PART), name };
  }
  const container = text(f['container.id']);
  if (container && container !== 'host') {
    const app = label(f, 'app.kubernetes.io/name') ?? label(f, 'app');
    if (app) return { namespace, kind: 'App', name: app };
    const image = text(f['container.image.repository']);
    if (image) return { namespace, kind: 'Image', name: image };
    return { namespace, kind: 'Container', name: container };
  }
  if (alert.hostname) return { namespace: NO_NAMESPACE, kind: 'Host', name: alert.hostname.slice(0, MAX_PART) };
  return { namespace: NO_NAMESPACE, kind: 'Unknown', name: '-' };
}

/** `ns/kind/name`, or `host/<hostname>` for a host: one string per workload, for maps and keys. */
export function workloadKey(w: Workload): string {
  if (w.kind === 'Host') return `host/${w.name}`;
  return `${w.namespace}/${w.kind}/${w.name}`;
}
