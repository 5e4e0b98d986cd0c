import { CoreV1Api, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { serviceAccountCredentials } from '../../lib/devstack/kube-token';
import type { ServiceAccountCredentials } from '../../lib/devstack/kube-token';
import { ensureNamespace } from '../../lib/devstack/kube-seed';
import { WITHOUT_POLICY_BUNDLE, chartExample, helmTemplate } from './helm-render';
import type { ChartObject } from './helm-render';

/**
 * The remediation agent's Kubernetes identity exactly as the chart grants it, on a real API server.
 *
 *   const rbac = await applyRemediationRbac(cluster.kubeConfig);            // values-acting-remediation.yaml
 *   const rbac = await applyRemediationRbac(kc, { values: ['--set', 'remediation.actionners={kubernetes:label}'] });
 *   rbac.credentials.kubeConfig   a KubeConfig with the ServiceAccount's TokenRequest token only (no cert)
 *   rbac.credentials.username     system:serviceaccount:vigil:rel-vigil-remediation
 *   rbac.namespaces               the namespaces its Roles cover (created if missing); [] = ClusterRole
 *   rbac.objects                  the ServiceAccount/Role(Binding)/ClusterRole(Binding) objects applied
 *
 * It renders the chart with `helm template` (release `rel`, namespace `vigil`; the chart's defaults
 * plus the given value args, default the acting-remediation example: label + networkpolicy in
 * shop and payments), creates the namespaces, applies the remediation ServiceAccount and the
 * RBAC objects rendered for it (nothing else), and requests a token for that ServiceAccount.
 * Run actionners through `credentials.kubeConfig` to prove they need no more than the chart grants.
 */

export interface RemediationRbac {
  credentials: ServiceAccountCredentials;
  namespaces: string[];
  serviceAccount: { namespace: string; name: string };
  objects: ChartObject[];
}

export interface RemediationRbacOptions {
  /** helm value args; default ['-f', charts/vigil/examples/values-acting-remediation.yaml]. */
  values?: string[];
  release?: string;
  namespace?: string;
  expirationSeconds?: number;
}

const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** Creates the object, or replaces it when it exists (a rerun against the same cluster). */
export async function applyObject(kc: KubeConfig, obj: ChartObject): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const body = obj as unknown as KubernetesObject;
  try {
    await api.create(body);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    const current = await api.read({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } });
    await api.replace({ ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } });
  }
}

export async function applyRemediationRbac(admin: KubeConfig, opts: RemediationRbacOptions = {}): Promise<RemediationRbac> {
  const release = opts.release ?? 'rel';
  const namespace = opts.namespace ?? 'vigil';
  const values = opts.values ?? ['-f', chartExample('values-acting-remediation.yaml')];
  const rendered = await helmTemplate([...values, ...WITHOUT_POLICY_BUNDLE], { release, namespace });
  const isRemediation = (o: ChartObject) => o.metadata.labels?.['app.kubernetes.io/component'] === 'remediation';
  const sa = rendered.find((o) => o.kind === 'ServiceAccount' && isRemediation(o));
  if (!sa) throw new Error('the chart rendered no remediation ServiceAccount (is remediation enabled?)');
  const rbac = rendered.filter((o) => RBAC_KINDS.has(o.kind) && isRemediation(o));
  if (rbac.length === 0) throw new Error('the chart rendered no RBAC for remediation (no actionners, or rbac.create=false)');
  const namespaces = [...new Set(rbac.filter((o) => o.kind === 'Role').map((o) => o.metadata.namespace ?? ''))].filter(Boolean);

  await ensureNamespace(admin, namespace);
  for (const ns of namespaces) await ensureNamespace(admin, ns);
  const saObj = { ...sa, metadata: { ...sa.metadata, namespace: sa.metadata.namespace ?? namespace } };
  for (const o of [saObj, ...rbac]) await applyObject(admin, o);
  // The ServiceAccount must be readable before a token can be requested for it.
  await admin.makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: sa.metadata.name, namespace: saObj.metadata.namespace });
  const credentials = await serviceAccountCredentials(admin, {
    namespace: saObj.metadata.namespace,
    serviceAccount: sa.metadata.name,
    expirationSeconds: opts.expirationSeconds,
  });
  return { credentials, namespaces, serviceAccount: { namespace: saObj.metadata.namespace, name: sa.metadata.name }, objects: [saObj, ...rbac] };
}
