import { AuthorizationV1Api, CoreV1Api, NetworkingV1Api, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { clientNodeApi } from '../../activities/remediation/kube/client-node';
import { serviceAccountCredentials } from '../../lib/devstack/kube-token';
import { WITHOUT_POLICY_BUNDLE, chartExample, helmTemplate } from '../helpers/helm-render';
import type { ChartObject } from '../helpers/helm-render';
import { KUBE_START_TIMEOUT_MS, KUBE_STOP_TIMEOUT_MS, readAudit, startTestKube } from '../helpers/kube-cluster';
import type { KubeCluster } from '../helpers/kube-cluster';
import { applyObject, applyRemediationRbac } from '../helpers/kube-rbac';
import type { RemediationRbac } from '../helpers/kube-rbac';
import { ensureNamespace } from '../helpers/kube-seed';

// Least privilege on a real API server (issue 11 item 7): the RBAC the chart renders for acting
// remediation (values-acting-remediation.yaml: label + networkpolicy in shop and payments),
// applied as rendered, used through a TokenRequest token; the API server's own 403s are the proof.
describe('remediation least privilege on the local API server', () => {
  let cluster: KubeCluster | undefined;
  let rbac: RemediationRbac | undefined;

  beforeAll(async () => {
    cluster = await startTestKube();
    const admin = cluster.kubeConfig;
    rbac = await applyRemediationRbac(admin);
    const core = admin.makeApiClient(CoreV1Api);
    await ensureNamespace(admin, 'other');
    for (const namespace of ['shop', 'other']) {
      await core.createNamespacedPod({ namespace, body: { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } });
      await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'db-password' }, stringData: { password: 'hunter2' } } });
    }
  }, KUBE_START_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
  }, KUBE_STOP_TIMEOUT_MS);

  const remediation = (): KubeConfig => {
    if (!rbac) throw new Error('RBAC was not applied');
    return rbac.credentials.kubeConfig;
  };
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const quarantine = { metadata: { labels: { 'vigil.dev/quarantine': 'true' } } };
  const isolate = (namespace: string) => ({
    metadata: { name: 'vigil-isolate-test', namespace },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] },
  });

  it('applies the Roles the chart renders for exactly the namespaces it names', () => {
    expect(rbac?.namespaces.sort()).toEqual(['payments', 'shop']);
    expect(rbac?.credentials.username).toBe('system:serviceaccount:vigil:rel-vigil-remediation');
    expect(rbac?.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}`).sort()).toEqual([
      'Role/payments',
      'Role/shop',
      'RoleBinding/payments',
      'RoleBinding/shop',
      'ServiceAccount/vigil',
    ]);
    // A token, not the admin certificate: the KubeConfig carries nothing else.
    const user = remediation().getCurrentUser();
    expect(user?.token).toBeTruthy();
    expect(user?.certData ?? user?.certFile ?? user?.keyData).toBeUndefined();
  });

  it('lets the token do what the enabled actionners declare: label a pod, create a NetworkPolicy, in shop', async () => {
    const core = remediation().makeApiClient(CoreV1Api);
    const pod = await core.readNamespacedPod({ name: 'web-1', namespace: 'shop' });
    expect(pod.metadata?.name).toBe('web-1');
    const patched = await core.patchNamespacedPod({ name: 'web-1', namespace: 'shop', body: quarantine }, mergePatch);
    expect(patched.metadata?.labels?.['vigil.dev/quarantine']).toBe('true');
    const np = await remediation().makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({ namespace: 'shop', body: isolate('shop') });
    expect(np.metadata?.name).toBe('vigil-isolate-test');
    // The audit log attributes the writes to the ServiceAccount, not to an admin.
    const writes = await readAudit(cluster as KubeCluster, { user: rbac?.credentials.username, verb: ['patch', 'create'], namespace: 'shop' });
    expect(writes.map((e) => `${e.verb} ${e.objectRef?.resource} ${e.responseStatus?.code}`).sort()).toEqual(['create networkpolicies 201', 'patch pods 200']);
  });

  it.each([
    ['delete a Secret in a covered namespace', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).deleteNamespacedSecret({ name: 'db-password', namespace: 'shop' })],
    ['read a Secret in a covered namespace', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'db-password', namespace: 'shop' })],
    ['patch a pod in a namespace no Role covers', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).patchNamespacedPod({ name: 'web-1', namespace: 'other', body: quarantine }, mergePatch)],
    ['create a NetworkPolicy in a namespace no Role covers', (kc: KubeConfig) => kc.makeApiClient(NetworkingV1Api).createNamespacedNetworkPolicy({ namespace: 'other', body: isolate('other') })],
    ['delete a pod (kubernetes:terminate is not enabled)', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'web-1', namespace: 'shop' })],
    [
      'bind itself a Role in a covered namespace (privilege escalation)',
      (kc: KubeConfig) =>
        kc.makeApiClient(RbacAuthorizationV1Api).createNamespacedRoleBinding({
          namespace: 'shop',
          body: { metadata: { name: 'escalate' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'rel-vigil-remediation', namespace: 'vigil' }] },
        }),
    ],
    ['list pods cluster-wide', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces()],
    ['cordon a Node (kubernetes:cordon is not enabled)', (kc: KubeConfig) => kc.makeApiClient(CoreV1Api).patchNode({ name: 'pool-a-node-1', body: { spec: { unschedulable: true } } }, mergePatch)],
  ])('refuses with 403: %s', async (_what, write) => {
    await expect(write(remediation())).rejects.toMatchObject({ code: 403 });
  });

  it('may ask its own access (SelfSubjectAccessReview) with no rule for it in the Roles: what checking a 403 against a cold authorizer needs', async () => {
    // The chart's Roles name no authorization.k8s.io resource: the review is the bootstrap system:basic-user grant to every authenticated user.
    const roles = (rbac?.objects ?? []).filter((o) => o.kind === 'Role') as unknown as Array<{ rules: Array<{ apiGroups?: string[] }> }>;
    expect(roles.flatMap((r) => r.rules.flatMap((rule) => rule.apiGroups ?? []))).not.toContain('authorization.k8s.io');
    const kube = clientNodeApi(remediation());
    await expect(kube.reviewAccess({ verb: 'patch', group: '', resource: 'pods', namespace: 'shop', name: 'web-1' })).resolves.toMatchObject({ allowed: true });
    await expect(kube.reviewAccess({ verb: 'delete', group: '', resource: 'secrets', namespace: 'shop', name: 'db-password' })).resolves.toMatchObject({ allowed: false });
    await expect(kube.reviewAccess({ verb: 'patch', group: '', resource: 'pods', namespace: 'other', name: 'web-1' })).resolves.toMatchObject({ allowed: false });
  });

  it('left what it was refused untouched (checked as the admin)', async () => {
    const core = (cluster as KubeCluster).kubeConfig.makeApiClient(CoreV1Api);
    await expect(core.readNamespacedSecret({ name: 'db-password', namespace: 'shop' })).resolves.toBeDefined();
    const other = await core.readNamespacedPod({ name: 'web-1', namespace: 'other' });
    expect(other.metadata?.labels?.['vigil.dev/quarantine']).toBeUndefined();
    const denied = await readAudit(cluster as KubeCluster, { user: rbac?.credentials.username });
    expect(denied.filter((e) => e.responseStatus?.code === 403).length).toBeGreaterThanOrEqual(5);
  });

  describe('the other components hold no Kubernetes credentials', () => {
    let rendered: ChartObject[];
    beforeAll(async () => {
      rendered = await helmTemplate(['-f', chartExample('values-acting-remediation.yaml'), ...WITHOUT_POLICY_BUNDLE]);
    });
    const tokenless = ['coordinator', 'analysis', 'review', 'notification', 'gate'];

    it('the chart renders automountServiceAccountToken: false for them and true only for acting remediation', () => {
      const automount = Object.fromEntries(
        rendered
          .filter((o) => o.kind === 'Deployment')
          .map((o) => [o.metadata.labels?.['app.kubernetes.io/component'], (o as unknown as { spec: { template: { spec: { automountServiceAccountToken?: boolean } } } }).spec.template.spec.automountServiceAccountToken]),
      );
      for (const c of tokenless) expect({ c, automount: automount[c] }).toEqual({ c, automount: false });
      expect(automount.remediation).toBe(true);
      // ServiceAccounts default to no token too, and no binding names any of them.
      for (const sa of rendered.filter((o) => o.kind === 'ServiceAccount')) expect((sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
      const subjects = rendered.flatMap((o) => ((o as { subjects?: { name: string }[] }).subjects ?? []).map((s) => s.name));
      expect(subjects.every((n) => n === 'rel-vigil-remediation')).toBe(true);
    });

    it('the API server grants their ServiceAccounts nothing (even if one held a token)', async () => {
      const admin = (cluster as KubeCluster).kubeConfig;
      for (const c of tokenless) {
        const sa = rendered.find((o) => o.kind === 'ServiceAccount' && o.metadata.labels?.['app.kubernetes.io/component'] === c);
        if (!sa) throw new Error(`no ServiceAccount for ${c}`);
        await applyObject(admin, { ...sa, metadata: { ...sa.metadata, namespace: 'vigil' } });
        const creds = await serviceAccountCredentials(admin, { namespace: 'vigil', serviceAccount: sa.metadata.name, expirationSeconds: 600 });
        const rules = await creds.kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace: 'shop' } } });
        // Only what every authenticated user may do (self reviews, discovery); nothing on pods, secrets, policies.
        const verbsOn = (res: string) => (rules.status?.resourceRules ?? []).filter((r) => r.resources?.includes(res) || r.resources?.includes('*')).flatMap((r) => r.verbs);
        expect({ c, pods: verbsOn('pods'), secrets: verbsOn('secrets'), networkpolicies: verbsOn('networkpolicies') }).toEqual({ c, pods: [], secrets: [], networkpolicies: [] });
      }
    });
  });
});
