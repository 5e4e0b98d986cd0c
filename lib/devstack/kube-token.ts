import { writeFile } from 'node:fs/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/**
 * Credentials of a ServiceAccount, as a pod running as it would hold them: a bound token from the
 * TokenRequest API, and a KubeConfig (and kubeconfig file) that authenticates with nothing else.
 * Least-privilege tests and the demo's acting remediation worker run with these instead of the
 * admin certificate, so RBAC decides what they may do.
 *
 *   const sa = await serviceAccountCredentials(adminKc, { namespace: 'vigil', serviceAccount: 'vigil-remediation' });
 *   sa.kubeConfig        client-node KubeConfig: token auth, the admin config's server and CA, no client cert
 *   sa.token             the bearer token (expires after expirationSeconds; default 1 h)
 *   sa.username          system:serviceaccount:<namespace>:<name> (what RBAC and the audit log see)
 *   await writeKubeconfig(sa.kubeConfig, path)   for a child process (KUBECONFIG=path)
 *
 * The ServiceAccount must exist (the chart's, or one created by the caller); a missing one is an
 * error from the API server (404), not created here.
 */

export interface ServiceAccountRef {
  namespace: string;
  serviceAccount: string;
  /** Token lifetime; the API server's minimum is 600 s. Default 3600. */
  expirationSeconds?: number;
  /** Audiences the token is for; default the API server's own. */
  audiences?: string[];
}

export interface ServiceAccountCredentials {
  kubeConfig: KubeConfig;
  token: string;
  username: string;
  expiresAt: Date;
}

/** A KubeConfig for `server` (+ CA) of `base`'s current cluster that authenticates with `token` only. */
export function kubeConfigForToken(base: KubeConfig, token: string, user = 'token-user'): KubeConfig {
  const cluster = base.getCurrentCluster();
  if (!cluster) throw new Error('the base KubeConfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, caData: cluster.caData, caFile: cluster.caFile, skipTLSVerify: cluster.skipTLSVerify }],
    users: [{ name: user, token }],
    contexts: [{ name: `${user}@${cluster.name}`, cluster: cluster.name, user }],
    currentContext: `${user}@${cluster.name}`,
  });
  return kc;
}

/** Requests a bound token for the ServiceAccount (TokenRequest API) and returns credentials that use only it. */
export async function serviceAccountCredentials(admin: KubeConfig, ref: ServiceAccountRef): Promise<ServiceAccountCredentials> {
  const core = admin.makeApiClient(CoreV1Api);
  const res = await core.createNamespacedServiceAccountToken({
    name: ref.serviceAccount,
    namespace: ref.namespace,
    body: { spec: { expirationSeconds: ref.expirationSeconds ?? 3600, audiences: ref.audiences ?? [] } },
  });
  const token = res.status?.token;
  if (!token) throw new Error(`TokenRequest for ${ref.namespace}/${ref.serviceAccount} returned no token`);
  const username = `system:serviceaccount:${ref.namespace}:${ref.serviceAccount}`;
  return {
    kubeConfig: kubeConfigForToken(admin, token, `${ref.namespace}-${ref.serviceAccount}`),
    token,
    username,
    expiresAt: res.status?.expirationTimestamp ?? new Date(Date.now() + (ref.expirationSeconds ?? 3600) * 1000),
  };
}

/** Writes a KubeConfig as a kubeconfig file (mode 0600: it holds a credential). */
export async function writeKubeconfig(kc: KubeConfig, path: string): Promise<void> {
  const text = stringify(JSON.parse(kc.exportConfig()) as unknown);
  await writeFile(path, text, { mode: 0o600 });
}
