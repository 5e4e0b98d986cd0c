import { existsSync } from 'node:fs';
import { ApiException, AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, VersionApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjectRef } from '../../../contracts';
import type { KubeApi, KubeObject } from './api';
import { authorizerRefusal, KubeApiError } from './api';

/** Every write carries this field manager, so SSA ownership says which fields are Vigil's. */
export const FIELD_MANAGER = 'vigil';
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The cluster to act on: `KUBECONFIG` (its first file) when set, else the pod's in-cluster
 * ServiceAccount, else none (dry-run records only).
 */
export function kubeConfigFrom(env: Record<string, string | undefined>): { config: KubeConfig; source: string } | null {
  const kc = new KubeConfig();
  const file = (env.KUBECONFIG ?? '').split(':').find((f) => f.length > 0);
  if (file) {
    if (!existsSync(file)) throw new Error(`KUBECONFIG names ${file}, which does not exist`);
    kc.loadFromFile(file);
    return { config: kc, source: `kubeconfig ${file}` };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
    return { config: kc, source: 'in-cluster service account' };
  }
  return null;
}

/** The API server's Status message from an error body (a JSON string or an object). */
function statusOf(err: ApiException<unknown>): { reason: string; message: string; name?: string } {
  let body: unknown = err.body;
  if (typeof err.body === 'string') {
    try {
      body = JSON.parse(err.body);
    } catch {
      return { reason: '', message: err.body.slice(0, 500) };
    }
  }
  const s = (body ?? {}) as { reason?: unknown; message?: unknown; details?: { name?: unknown } };
  const name = typeof s.details?.name === 'string' && s.details.name !== '' ? s.details.name : undefined;
  return { reason: typeof s.reason === 'string' ? s.reason : '', message: typeof s.message === 'string' ? s.message : err.message.slice(0, 500), ...(name ? { name } : {}) };
}

/** Turns the client's exceptions into KubeApiError (status + the server's reason), everything else passes. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiException) {
      const s = statusOf(err as ApiException<unknown>);
      const access = err.code === 403 ? authorizerRefusal(s.message, s.name) : undefined;
      throw new KubeApiError(err.code, s.reason, `${what}: HTTP ${err.code}${s.reason ? ` ${s.reason}` : ''}: ${s.message}`, access);
    }
    throw err;
  }
}

/** The client deserialises into classes (dates as Date); results cross Temporal as plain JSON. */
const plain = <T>(v: unknown): T => JSON.parse(JSON.stringify(v)) as T;

const header = (ref: ObjectRef): KubernetesObject & { metadata: { name: string; namespace?: string } } => ({
  apiVersion: ref.apiVersion,
  kind: ref.kind,
  metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
});

const label = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/** KubeApi over @kubernetes/client-node 1.x (the generic object API, so one code path serves every kind). */
export function clientNodeApi(kc: KubeConfig): KubeApi {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const versions = kc.makeApiClient(VersionApi);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  const dry = (d: boolean) => (d ? 'All' : undefined);
  return {
    read: async (ref) => {
      try {
        return plain<KubeObject>(await call(`get ${label(ref)}`, () => objects.read(header(ref))));
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 404) return null;
        throw err;
      }
    },
    list: async (apiVersion, kind, namespace, opts = {}) => {
      const list = await call(`list ${kind}`, () =>
        objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector, opts.limit),
      );
      return plain<KubeObject[]>(list.items);
    },
    mergePatch: async (ref, patch, opts) => {
      const h = header(ref);
      const meta = (patch.metadata ?? {}) as Record<string, unknown>;
      const body = { ...patch, apiVersion: ref.apiVersion, kind: ref.kind, metadata: { ...meta, ...h.metadata } } as KubernetesObject;
      return plain<KubeObject>(
        await call(`patch ${label(ref)}`, () => objects.patch(body, undefined, dry(opts.dryRun), FIELD_MANAGER, undefined, PatchStrategy.MergePatch)),
      );
    },
    apply: async (object, opts) => {
      const ref = { apiVersion: object.apiVersion ?? 'v1', kind: object.kind ?? '', namespace: object.metadata.namespace, name: object.metadata.name };
      return plain<KubeObject>(
        await call(`apply ${label(ref)}`, () =>
          objects.patch(object as KubernetesObject, undefined, dry(opts.dryRun), FIELD_MANAGER, false, PatchStrategy.ServerSideApply),
        ),
      );
    },
    delete: async (ref, opts) => {
      const preconditions = opts.uid || opts.resourceVersion ? { uid: opts.uid, resourceVersion: opts.resourceVersion } : undefined;
      await call(`delete ${label(ref)}`, () =>
        objects.delete(header(ref), undefined, dry(opts.dryRun), opts.gracePeriodSeconds, undefined, 'Background', {
          gracePeriodSeconds: opts.gracePeriodSeconds,
          preconditions,
          ...(opts.dryRun ? { dryRun: ['All'] } : {}),
        }),
      );
    },
    podLog: async (namespace, name, opts) =>
      call(`logs of Pod ${namespace}/${name}`, () => core.readNamespacedPodLog({ namespace, name, container: opts.container, tailLines: opts.tailLines, limitBytes: opts.limitBytes })),
    version: async () => (await call('version', () => versions.getCode())).gitVersion,
    reviewAccess: async (access) => {
      const review = await call(`access review (${access.verb} ${access.resource})`, () => authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { ...access } } } }));
      const st = review.status;
      return { allowed: st?.allowed === true, reason: [st?.reason, st?.evaluationError].filter((x): x is string => typeof x === 'string' && x !== '').join('; ') };
    },
  };
}
