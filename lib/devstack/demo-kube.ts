import { join } from 'node:path';
import { remediationIdentity, seedDemoCluster } from './demo-cluster';
import { installKube, runKubeScript, startKubeCluster } from './kube-cluster';
import type { KubeCluster } from './kube-cluster';

/**
 * The demo's Kubernetes side: the local control plane (scripts/kube.sh, data in .data/kube) unless
 * KUBECONFIG names a cluster, seeded from the sample alerts (demo-cluster.ts), and the credentials
 * the remediation worker alone receives.
 */


export interface DemoKube {
  cluster: KubeCluster;
  /** Env for the remediation worker only: its token kubeconfig and the dry-run switch. */
  remediationEnv: NodeJS.ProcessEnv;
  acting: boolean;
  /** Lines telling the user how to look at the cluster. */
  instructions: string[];
}

async function binariesPresent(): Promise<boolean> {
  return (await runKubeScript(['installed'], 60_000, process.env)).code === 0;
}

/**
 * The demo acts on its cluster by default (VIGIL_DRY_RUN=false for the remediation worker only):
 * the local API server is throwaway, seeded from the sample alerts. `dryRun` (vigil demo --dry-run,
 * or VIGIL_DEMO_DRY_RUN=true) plans the same actions with the same credentials and writes nothing.
 */
export async function startDemoKube(opts: { dataDir: string; alertsFile: string; dryRun?: boolean; say: (s?: string) => void }): Promise<DemoKube> {
  const { say } = opts;
  const external = process.env.KUBECONFIG?.trim() || undefined;
  // Only the remediation worker may hold Kubernetes credentials: the others must not inherit these.
  delete process.env.KUBECONFIG;
  let cluster: KubeCluster;
  if (external) {
    say(`Using the Kubernetes cluster in KUBECONFIG=${external} (not seeded: the sample alerts name pods it does not have, so remediation's pre-flight refuses them).`);
    cluster = await startKubeCluster({ external });
  } else {
    if (!(await binariesPresent())) {
      say('Building the local Kubernetes API server (etcd 3.6.5, kube-apiserver and kube-controller-manager v1.35.4) with Go:');
      say('first run only, about 8 min on 2 cores and ~2 GB of memory; `npm run demo -- --no-kube` skips it.');
      const t0 = Date.now();
      await installKube({ onProgress: (l) => say(`  ${l}`) });
      say(`Built in ${Math.round((Date.now() - t0) / 1000)} s.`);
    }
    say(`Starting the local Kubernetes API server (scripts/kube.sh: etcd, kube-apiserver, kube-controller-manager; data in ${join(opts.dataDir, 'kube')})...`);
    const t0 = Date.now();
    cluster = await startKubeCluster({ dataDir: join(opts.dataDir, 'kube') });
    say(`  ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (no kubelet: pods are marked Running with the alerts' container IDs by the demo)`);
    const seeded = await seedDemoCluster(cluster.kubeConfig, opts.alertsFile);
    say(
      `  seeded from the alerts: ${seeded.deployments} Deployments and ${seeded.pods} pods (${seeded.barePods} without an owner) in ${seeded.namespaces.length} namespaces on ${seeded.nodes.length} Nodes` +
        (seeded.skipped.length ? `; not seeded (no container id in the alert, or contradicting alerts): ${seeded.skipped.join(', ')}` : ''),
    );
  }
  const kubeDir = cluster.dataDir ?? join(opts.dataDir, 'kube');
  const identity = await remediationIdentity(cluster.kubeConfig, join(kubeDir, 'remediation.kubeconfig'));
  const acting = !opts.dryRun && process.env.VIGIL_DEMO_DRY_RUN !== 'true';
  const k = `${cluster.kubectl} --kubeconfig ${cluster.kubeconfigPath}`;
  const instructions = [
    `KUBECONFIG=${cluster.kubeconfigPath}`,
    `Remediation runs as ${identity.username} (token only, RBAC from charts/vigil/files/actionner-rbac.json), ${acting ? 'acting on this cluster (vigil demo --dry-run writes nothing)' : 'in dry-run mode (--dry-run): actions are planned with dryRun=All, nothing is written'}.`,
    'See the quarantine:',
    `  ${k} get pods -A -l vigil.dev/quarantine=true -L vigil.dev/quarantine`,
    `  ${k} get networkpolicies -A`,
    ...(cluster.auditLogPath ? [`  grep -c '"verb":"patch"' ${cluster.auditLogPath}    (the API server's audit log of every write)`] : []),
  ];
  return { cluster, remediationEnv: { KUBECONFIG: identity.kubeconfigPath, VIGIL_DRY_RUN: acting ? 'false' : 'true' }, acting, instructions };
}
