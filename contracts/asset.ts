import { z } from 'zod';
import type { FalcoAlert, FalcoFieldValue } from './falco';
import { HostnameSchema, NamespaceNameSchema, ObjectNameSchema, PathSegmentNameSchema, ResourceNameSchema } from './k8s-names';

/**
 * What an alert is about, in Kubernetes terms; every field optional because host and audit alerts
 * lack some. The names policy compares are Kubernetes names (contracts/k8s-names.ts), so no
 * spelling can slip past an exact-match protection.
 */
export const AssetSchema = z.object({
  kind: z.enum(['pod', 'host', 'k8s_object', 'unknown']),
  namespace: NamespaceNameSchema.optional(),
  pod: ObjectNameSchema.optional(),
  container: z.string().max(256).optional(),
  image: z.string().max(1024).optional(),
  node: HostnameSchema.optional(),
  resource: ResourceNameSchema.optional(),
  name: PathSegmentNameSchema.optional(),
  user: z.string().max(1024).optional(),
});
export type Asset = z.infer<typeof AssetSchema>;

function str(v: FalcoFieldValue | undefined): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Reads the asset from syscall fields (k8s.*, container.*) or k8s audit fields (ka.*). */
export function assetOf(alert: FalcoAlert): Asset {
  const f = alert.output_fields;
  const namespace = str(f['k8s.ns.name']) ?? str(f['ka.target.namespace']);
  const pod = str(f['k8s.pod.name']) ?? (str(f['ka.target.resource']) === 'pods' ? str(f['ka.target.name']) : undefined);
  const container = str(f['container.id']);
  const resource = str(f['ka.target.resource']);
  const asset: Asset = {
    kind: pod ? 'pod' : resource ? 'k8s_object' : container || alert.hostname ? 'host' : 'unknown',
    namespace,
    pod,
    container: container === 'host' ? undefined : container,
    image: str(f['container.image.repository']),
    node: alert.hostname,
    resource,
    name: str(f['ka.target.name']),
    user: str(f['user.name']) ?? str(f['ka.user.name']),
  };
  return Object.fromEntries(Object.entries(asset).filter(([, v]) => v !== undefined)) as Asset;
}

/** One short label for UIs and search attributes. */
export function assetLabel(a: Asset): string {
  if (a.pod) return `${a.namespace ?? '?'}/${a.pod}`;
  if (a.resource) return `${a.namespace ? `${a.namespace}/` : ''}${a.resource}/${a.name ?? '?'}`;
  if (a.node) return `host/${a.node}`;
  return 'unknown';
}
