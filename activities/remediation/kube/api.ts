import type { ObjectRef } from '../../../contracts';

/** The slice of an object's metadata Vigil reads; everything else is kept as data. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  deletionTimestamp?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface WriteOptions {
  /** The API server's own dry run (`dryRun=All`): admission and validation run, nothing is stored. */
  dryRun: boolean;
}

/**
 * What remediation needs from a Kubernetes API server, and nothing more: the applier, pre-flight
 * and evidence are written against this, so unit tests replace only this edge.
 */
export interface KubeApi {
  /** The object, or null when it does not exist. */
  read(ref: ObjectRef): Promise<KubeObject | null>;
  list(apiVersion: string, kind: string, namespace: string | undefined, opts?: { labelSelector?: string; fieldSelector?: string; limit?: number }): Promise<KubeObject[]>;
  /** JSON merge patch (RFC 7386): a null removes a key; `metadata.resourceVersion` in the patch makes it conditional. */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>, opts: WriteOptions): Promise<KubeObject>;
  /** Server-side apply with field manager `vigil`, never forced over another manager's fields. */
  apply(object: KubeObject, opts: WriteOptions): Promise<KubeObject>;
  /** Delete, conditional on the uid (and resourceVersion when given) still being the one Vigil checked. */
  delete(ref: ObjectRef, opts: WriteOptions & { gracePeriodSeconds?: number; uid?: string; resourceVersion?: string }): Promise<void>;
  /** The pod's container log (the API server proxies it from the kubelet). */
  podLog(namespace: string, name: string, opts: { container?: string; tailLines: number; limitBytes: number }): Promise<string>;
  /** The server's version; how acting mode proves at start that the API server is reachable. */
  version(): Promise<string>;
  /**
   * A SelfSubjectAccessReview as this same identity: may it do exactly this? Every authenticated
   * user may create one (the `system:basic-user` ClusterRole), so it needs no RBAC of its own.
   */
  reviewAccess(access: AccessAttributes): Promise<AccessReview>;
}

/** What an authorizer was asked: a SelfSubjectAccessReview's resourceAttributes. */
export interface AccessAttributes {
  verb: string;
  /** API group ('' for the core group). */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessReview {
  allowed: boolean;
  /** The authorizer's reason or evaluation error, when it gave one. */
  reason: string;
}

/** An API server refusal with its HTTP status (403 forbidden, 404, 409 conflict, 422 invalid). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** On a 403 the authorizer gave (not an admission plugin): the request it refused. */
    readonly access?: AccessAttributes,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/**
 * The request an authorizer refused, read from the API server's Forbidden message, which has one
 * fixed form for authorization (`User "u" cannot VERB resource "R[/SUB]" in API group "G" in the
 * namespace "NS"` or `... at the cluster scope`); `name` is the Status details' name. Undefined for
 * any other 403, e.g. an admission plugin's denial, which an access review could not explain.
 */
export function authorizerRefusal(message: string, name?: string): AccessAttributes | undefined {
  const m = /User "[^"]*" cannot (\S+) resource "([^"/]+)(?:\/([^"]+))?" in API group "([^"]*)"(?: in the namespace "([^"]+)"| at the cluster scope)/.exec(message);
  if (!m) return undefined;
  return { verb: m[1]!, resource: m[2]!, ...(m[3] ? { subresource: m[3] } : {}), group: m[4]!, ...(m[5] ? { namespace: m[5] } : {}), ...(name ? { name } : {}) };
}

export function isKubeStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
