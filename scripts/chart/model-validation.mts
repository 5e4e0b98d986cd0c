/**
 * Validation of rendered Kubernetes objects against the schemas shipped in `kubernetes-models` and
 * `@kubernetes-models/*` (Kubernetes, cert-manager, Cilium, Kyverno, prometheus-operator, Argo CD),
 * with nothing downloaded. Those packages are ESM-only, hence this module is `.mts` and runs as its
 * own Node process (see check-manifests.mts), not inside jest.
 */

export interface KubeObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
  [key: string]: unknown;
}

/** Where the model class and the TypeScript interface of one apiVersion/kind live. */
export interface ModelLocation {
  /** Import specifier of the group/version index that exports the class named like the kind. */
  module: string;
  /** Import specifier of the kind's own module, whose `I<Kind>` interface describes the object. */
  typesModule: string;
  className: string;
}

/** API group -> package holding its models; the core groups live in `kubernetes-models`. */
const PACKAGE_BY_GROUP: Record<string, string> = {
  '': 'kubernetes-models',
  apps: 'kubernetes-models',
  batch: 'kubernetes-models',
  policy: 'kubernetes-models',
  'networking.k8s.io': 'kubernetes-models',
  'rbac.authorization.k8s.io': 'kubernetes-models',
  'apiextensions.k8s.io': 'kubernetes-models',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'cilium.io': '@kubernetes-models/cilium',
  'kyverno.io': '@kubernetes-models/kyverno',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'argoproj.io': '@kubernetes-models/argo-cd',
};

export function modelLocation(apiVersion: string, kind: string): ModelLocation | null {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = PACKAGE_BY_GROUP[group];
  if (!pkg || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  const base = group ? `${pkg}/${group}/${version}` : `${pkg}/${version}`;
  return { module: base, typesModule: `${base}/${kind}`, className: kind };
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Runs the model's generated schema validator; returns the problems (empty when valid). */
export async function validateWithModel(obj: KubeObject): Promise<string[]> {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const loc = modelLocation(apiVersion, kind);
  if (!loc) return [`no schema known for ${apiVersion} ${kind}`];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(loc.module)) as Record<string, unknown>;
  } catch (err) {
    return [`no schema known for ${apiVersion} ${kind} (${(err as Error).message})`];
  }
  const Model = mod[loc.className] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`no schema known for ${apiVersion} ${kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return String((err as Error).message)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
}
