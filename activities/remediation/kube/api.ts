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
}

/** An API server refusal with its HTTP status (403 forbidden, 404, 409 conflict, 422 invalid). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export function isKubeStatus(err: unknown, status: number): boolean {
  return err instanceof KubeApiError && err.status === status;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
