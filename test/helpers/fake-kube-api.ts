import type { ObjectRef } from '../../contracts';
import type { AccessAttributes, AccessReview, KubeApi, KubeObject } from '../../activities/remediation/kube/api';
import { KubeApiError } from '../../activities/remediation/kube/api';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 merge patch. */
function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

const keyOf = (r: { apiVersion?: string; kind?: string; namespace?: string; name: string }) => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;

export interface FakeWrite {
  verb: 'patch' | 'apply' | 'delete';
  key: string;
  dryRun: boolean;
}

/**
 * An in-memory stand-in for the API server edge (unit tests only; the integration suite runs the
 * real kube-apiserver): merge patch with resourceVersion preconditions, create-only apply, delete
 * with uid/resourceVersion preconditions, generations, and a list of every write like an audit log.
 */
export class FakeKube implements KubeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: FakeWrite[] = [];
  private rv = 100;
  private uid = 0;
  /** `kind` → status to fail every write of that kind with (e.g. 403). */
  readonly refuse = new Map<string, number>();
  /** Called before each write; a test may change the world here (someone else's edit). */
  beforeWrite?: (verb: string, ref: ObjectRef) => void;
  /** `kind` → refuse every write of that kind with the authorizer's 403 (the message form a real API server gives, naming the request). */
  readonly authorizerRefuses = new Set<string>();
  /** What a SelfSubjectAccessReview answers (or throws); default: denied. */
  accessReview: (access: AccessAttributes) => AccessReview = () => ({ allowed: false, reason: '' });
  /** Every access review asked, in order. */
  readonly reviews: AccessAttributes[] = [];

  put(o: KubeObject): KubeObject {
    const stored: KubeObject = { ...o, metadata: { uid: `uid-${++this.uid}`, generation: 1, ...o.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(keyOf({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }), stored);
    return stored;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.objects.get(keyOf(ref));
  }

  /** Someone else's edit: a merge patch that bumps the resourceVersion. */
  edit(ref: ObjectRef, patch: Json): void {
    const cur = this.get(ref);
    if (!cur) throw new Error(`no ${keyOf(ref)}`);
    this.objects.set(keyOf(ref), { ...(merge(cur, patch) as KubeObject), metadata: { ...(merge(cur.metadata, patch.metadata ?? {}) as KubeObject['metadata']), resourceVersion: String(++this.rv) } });
  }

  private check(verb: FakeWrite['verb'], ref: ObjectRef, dryRun: boolean) {
    this.beforeWrite?.(verb, ref);
    const status = this.refuse.get(ref.kind);
    if (status) throw new KubeApiError(status, 'Forbidden', `${verb} ${ref.kind}: HTTP ${status} Forbidden`);
    if (this.authorizerRefuses.has(ref.kind)) {
      const resource = `${ref.kind.toLowerCase()}s`;
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0]! : '';
      const authzVerb = verb === 'apply' ? 'patch' : verb;
      const access: AccessAttributes = { verb: authzVerb, group, resource, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name };
      throw new KubeApiError(403, 'Forbidden', `${verb} ${ref.kind}: HTTP 403 Forbidden: ${resource} "${ref.name}" is forbidden: User "system:serviceaccount:vigil:remediation" cannot ${authzVerb} resource "${resource}" in API group "${group}" in the namespace "${ref.namespace ?? ''}"`, access);
    }
    this.writes.push({ verb, key: keyOf(ref), dryRun });
  }

  async read(ref: ObjectRef) {
    const o = this.get(ref);
    return o ? (JSON.parse(JSON.stringify(o)) as KubeObject) : null;
  }

  async list(apiVersion: string, kind: string, namespace: string | undefined, opts: { fieldSelector?: string } = {}) {
    const uid = /involvedObject\.uid=(.+)/.exec(opts.fieldSelector ?? '')?.[1];
    return [...this.objects.values()].filter(
      (o) => o.apiVersion === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace) && (!uid || (o as { involvedObject?: { uid?: string } }).involvedObject?.uid === uid),
    );
  }

  async mergePatch(ref: ObjectRef, patch: Json, opts: { dryRun: boolean }) {
    this.check('patch', ref, opts.dryRun);
    const cur = this.get(ref);
    if (!cur) throw new KubeApiError(404, 'NotFound', 'not found');
    const meta = (patch.metadata ?? {}) as Json;
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== cur.metadata.resourceVersion) throw new KubeApiError(409, 'Conflict', 'the object has been modified');
    const { resourceVersion: _rv, ...rest } = meta;
    const next = merge(cur, { ...patch, metadata: rest }) as KubeObject;
    const specChanged = JSON.stringify((next as Json).spec) !== JSON.stringify((cur as Json).spec);
    next.metadata = { ...next.metadata, resourceVersion: String(this.rv + 1), generation: (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0) };
    if (!opts.dryRun) {
      this.rv += 1;
      this.objects.set(keyOf(ref), next);
    }
    return JSON.parse(JSON.stringify(next)) as KubeObject;
  }

  async apply(object: KubeObject, opts: { dryRun: boolean }) {
    const ref = { apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', namespace: object.metadata.namespace, name: object.metadata.name };
    this.check('apply', ref, opts.dryRun);
    if (this.get(ref)) throw new Error('fake: apply over an existing object is not modelled');
    if (opts.dryRun) return { ...object, metadata: { ...object.metadata, uid: 'dry', resourceVersion: '0', generation: 1 } };
    return this.put(object);
  }

  async delete(ref: ObjectRef, opts: { dryRun: boolean; uid?: string; resourceVersion?: string }) {
    this.check('delete', ref, opts.dryRun);
    const cur = this.get(ref);
    if (!cur) throw new KubeApiError(404, 'NotFound', 'not found');
    if ((opts.uid && opts.uid !== cur.metadata.uid) || (opts.resourceVersion && opts.resourceVersion !== cur.metadata.resourceVersion)) throw new KubeApiError(409, 'Conflict', 'precondition failed');
    if (!opts.dryRun) this.objects.delete(keyOf(ref));
  }

  async podLog(): Promise<string> {
    throw new KubeApiError(400, 'BadRequest', 'logs: HTTP 400: pod has no kubelet to read from');
  }

  async version() {
    return 'v1.35.4-fake';
  }

  async reviewAccess(access: AccessAttributes) {
    this.reviews.push(access);
    return this.accessReview(access);
  }
}

export const CONTAINER = 'a1b2c3d4e5f6' + '0'.repeat(52);

/** A Deployment → ReplicaSet → Pod chain the way the controller manager leaves it, plus `replicas` healthy siblings in total. */
export function seedWorkload(kube: FakeKube, opts: { namespace?: string; pod?: string; node?: string; healthy?: number; owner?: 'Deployment' | 'DaemonSet' | 'none' } = {}) {
  const namespace = opts.namespace ?? 'shop';
  const owner = opts.owner ?? 'Deployment';
  const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  let controller: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean } | undefined;
  if (owner === 'Deployment') {
    const d = kube.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace }, spec: { replicas: opts.healthy ?? 2 } });
    const rs = kube.put({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-5d9c', namespace, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid ?? '', controller: true }] },
    });
    controller = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c', uid: rs.metadata.uid ?? '', controller: true };
  } else if (owner === 'DaemonSet') {
    const ds = kube.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace } });
    controller = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid ?? '', controller: true };
  }
  const mk = (name: string, id: string) =>
    kube.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { app: 'web' }, ...(controller ? { ownerReferences: [controller] } : {}) },
      spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'app' }] },
      status: { ...running, containerStatuses: [{ name: 'app', containerID: `containerd://${id}` }] },
    });
  const target = mk(opts.pod ?? 'web-5d9c-abcde', CONTAINER);
  for (let i = 1; i < (opts.healthy ?? 2); i++) mk(`web-5d9c-sib${i}`, `${i}`.repeat(64).slice(0, 64));
  return target;
}

export const SUBJECT = { kind: 'pod' as const, namespace: 'shop', pod: 'web-5d9c-abcde', container: CONTAINER.slice(0, 12), node: 'node-1' };
