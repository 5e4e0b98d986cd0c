import { randomUUID } from 'node:crypto';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api, VersionApi } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { pidAlive } from '../../lib/devstack/kube-cluster';
import { serviceAccountCredentials } from '../../lib/devstack/kube-token';
import { KUBE_START_TIMEOUT_MS, KUBE_STOP_TIMEOUT_MS, readAudit, startTestKube } from '../helpers/kube-cluster';
import type { KubeCluster } from '../helpers/kube-cluster';
import { fullContainerId, markPodRunning, seedDeployment, shortContainerId } from '../helpers/kube-seed';
import { runCommand } from '../helpers/run-command';

// The local control plane (scripts/kube.sh) is a real API server: RBAC enforced, controllers
// running, every write audited. These tests are what other suites build on.
describe('local Kubernetes control plane (scripts/kube.sh)', () => {
  let cluster: KubeCluster | undefined;
  const ns = `kc-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cluster = await startTestKube();
  }, KUBE_START_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
  }, KUBE_STOP_TIMEOUT_MS);

  function c(): KubeCluster {
    if (!cluster) throw new Error('the cluster did not start');
    return cluster;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('serves Kubernetes v1.35.4 on loopback with the servers running by PID', async () => {
    const kc = c().kubeConfig;
    const version = await kc.makeApiClient(VersionApi).getCode();
    if (c().external) return;
    expect(version.gitVersion).toBe('v1.35.4');
    expect(kc.getCurrentCluster()?.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const pid of Object.values(c().pids ?? {})) expect(pidAlive(pid)).toBe(true);
  });

  it('enforces RBAC: a ServiceAccount token with no bindings is refused with 403, the admin is not', async () => {
    const admin = c().kubeConfig;
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'nobody' } } });
    const sa = await serviceAccountCredentials(admin, { namespace: ns, serviceAccount: 'nobody', expirationSeconds: 600 });
    expect(sa.username).toBe(`system:serviceaccount:${ns}:nobody`);

    const asSa = sa.kubeConfig.makeApiClient(CoreV1Api);
    await expect(asSa.listNamespacedSecret({ namespace: ns })).rejects.toMatchObject({ code: 403 });
    await expect(asSa.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' } } })).rejects.toMatchObject({ code: 403 });
    // The API server itself says who it took the token for, and that it may not list secrets.
    const review = await sa.kubeConfig
      .makeApiClient(AuthorizationV1Api)
      .createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'secrets' } } } });
    expect(review.status?.allowed).toBe(false);
    await expect(core.listNamespacedSecret({ namespace: ns })).resolves.toBeDefined();
  });

  it('runs the controller manager: a Deployment gets a ReplicaSet and Pending Pods with owner references', async () => {
    const apps = c().kubeConfig.makeApiClient(AppsV1Api);
    const core = c().kubeConfig.makeApiClient(CoreV1Api);
    const labels = { app: 'web' };
    const dep = await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
      },
    });
    const rs = await until('a ReplicaSet owned by the Deployment', async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' });
      return list.items.find((r) => r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === dep.metadata?.uid));
    });
    const pods = await until('two pods owned by the ReplicaSet', async () => {
      const list = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
      const owned = list.items.filter((p) => p.metadata?.ownerReferences?.some((o) => o.controller && o.uid === rs.metadata?.uid));
      return owned.length === 2 ? owned : undefined;
    });
    // No kubelet: nothing runs them.
    expect(pods.map((p) => p.status?.phase)).toEqual(['Pending', 'Pending']);
    // The ServiceAccount admission plugin found the default ServiceAccount the controller manager made.
    expect(pods.every((p) => p.spec?.serviceAccountName === 'default')).toBe(true);
  });

  it('audits every write: the Deployment create by the admin and the ReplicaSet create by its controller', async () => {
    const created = await readAudit(c(), { verb: 'create', resource: 'deployments', namespace: ns });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ stage: 'ResponseComplete', user: { username: 'vigil-admin' }, responseStatus: { code: 201 } });
    // RequestResponse level: the object itself is in the log.
    expect(created[0]?.requestObject).toMatchObject({ kind: 'Deployment', metadata: { name: 'web' } });
    const rsCreates = await readAudit(c(), { verb: 'create', resource: 'replicasets', namespace: ns });
    expect(rsCreates.map((e) => e.user.username)).toEqual(['system:serviceaccount:kube-system:deployment-controller']);
    // Reads are not logged; secrets only at Metadata level (no contents).
    expect(await readAudit(c(), { verb: ['get', 'list', 'watch'] })).toEqual([]);
    const tokenRequests = await readAudit(c(), { resource: 'serviceaccounts', subresource: 'token', namespace: ns });
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests.every((e) => e.responseObject === undefined && e.requestObject === undefined)).toBe(true);
  });

  it('seeds a Deployment whose ReplicaSet and Pods carry the names and container ids alerts give, owned as controllers keep them', async () => {
    const kc = c().kubeConfig;
    const seeded = await seedDeployment(kc, {
      namespace: ns,
      name: 'orders-api',
      podTemplateHash: 'a7c9f4ba6f',
      containers: [{ name: 'orders-api', image: 'registry.example/orders-api:1.4' }],
      pods: [
        { name: 'orders-api-a7c9f4ba6f-346a8', nodeName: 'pool-a-node-6', containerIds: { 'orders-api': '4db82a6771ab' }, podIP: '10.244.6.17' },
        { name: 'orders-api-a7c9f4ba6f-a2fce', nodeName: 'pool-a-node-3', containerIds: { 'orders-api': '5dce13e4352c' } },
      ],
    });
    expect(seeded.replicaSet.metadata?.name).toBe('orders-api-a7c9f4ba6f');
    expect(seeded.replicaSet.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'orders-api', uid: seeded.deployment.metadata?.uid });
    const byName = new Map<string, V1Pod>(seeded.pods.map((p) => [p.metadata?.name ?? '', p]));
    expect([...byName.keys()].sort()).toEqual(['orders-api-a7c9f4ba6f-346a8', 'orders-api-a7c9f4ba6f-a2fce']);
    const first = byName.get('orders-api-a7c9f4ba6f-346a8');
    expect(first?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'orders-api-a7c9f4ba6f', controller: true });
    expect(first?.status?.phase).toBe('Running');
    expect(first?.status?.podIP).toBe('10.244.6.17');
    expect(first?.spec?.nodeName).toBe('pool-a-node-6');
    const statusId = first?.status?.containerStatuses?.[0]?.containerID ?? '';
    expect(statusId).toMatch(/^containerd:\/\/4db82a6771ab[0-9a-f]{52}$/);
    expect(shortContainerId(statusId)).toBe('4db82a6771ab');
    expect(statusId).toBe(`containerd://${fullContainerId('4db82a6771ab')}`);
    expect(seeded.deployment.status?.readyReplicas).toBe(2);

    // The controllers keep it: after a while still the same two pods, no generated ones, no second ReplicaSet.
    await new Promise((r) => setTimeout(r, 2_000));
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns, labelSelector: 'app=orders-api' });
    expect(pods.items.map((p) => p.metadata?.name).sort()).toEqual(['orders-api-a7c9f4ba6f-346a8', 'orders-api-a7c9f4ba6f-a2fce']);
    const sets = await kc.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=orders-api' });
    expect(sets.items.map((r) => r.metadata?.name)).toEqual(['orders-api-a7c9f4ba6f']);
    // A container the pod does not have is an error, not a silently different status.
    await expect(markPodRunning(kc, ns, 'orders-api-a7c9f4ba6f-346a8', { containerIds: { nope: '4db82a6771ab' } })).rejects.toThrow(/no container nope/);
  });

  it('works with the kubectl the script picked (within one minor of the server)', async () => {
    const res = await runCommand(c().kubectl, ['--kubeconfig', c().kubeconfigPath, 'get', 'pods', '-n', ns, '-o', 'name']);
    expect(res.stderr).toBe('');
    expect(res.stdout.split('\n').filter(Boolean).length).toBe(4);
  });

  it('deletes a namespace (the namespace controller finishes it)', async () => {
    const core = c().kubeConfig.makeApiClient(CoreV1Api);
    // Pods bound to a Node wait for its kubelet to confirm a graceful delete; there is none, so
    // the seeded (Running) ones are deleted with grace period 0, as `kubectl delete --force` does.
    for (const name of ['orders-api-a7c9f4ba6f-346a8', 'orders-api-a7c9f4ba6f-a2fce']) {
      await core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 });
    }
    await core.deleteNamespace({ name: ns });
    await until(
      'the namespace to be gone',
      async () => {
        try {
          await core.readNamespace({ name: ns });
          return undefined;
        } catch (err) {
          return (err as { code?: number }).code === 404 ? true : undefined;
        }
      },
      60_000,
    );
  }, 90_000);

  it('stop() ends etcd, the API server and the controller manager by PID', async () => {
    await c().stop();
    if (!c().external) for (const pid of Object.values(c().pids ?? {})) expect(pidAlive(pid)).toBe(false);
  });
});
