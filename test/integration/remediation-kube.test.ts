import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { requestContainment } from '../../cli/containment';
import { TASK_QUEUES } from '../../contracts';
import type { DevServer } from '../../lib/devstack/dev-server';
import { startDevServer } from '../../lib/devstack/dev-server';
import { writeKubeconfig } from '../../lib/devstack/kube-token';
import { withReverseShell } from '../../lib/devstack/reverse-shell';
import type { WorkerStack } from '../../lib/devstack/stack';
import { startWorkers } from '../../lib/devstack/stack';
import { incidentIdFor } from '../../lib/identity';
import { startIncident } from '../../lib/incidents';
import { connectClient } from '../../lib/temporal-client';
import { temporalConfigFromEnv } from '../../lib/temporal-config';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../lib/trust/decision-keys';
import { revertContainmentUpdate, stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import type { TestAnalysts } from '../helpers/analysts';
import { testAnalysts } from '../helpers/analysts';
import { waitForStatus } from '../helpers/dev-stack';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { runVigil } from '../helpers/run-command';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';
import { freshKeys, testGateKeys } from '../helpers/trust';
import { loadGuards } from '../../activities/remediation/guards';
import type { KubeApi } from '../../activities/remediation/kube/api';
import { KubeApiError } from '../../activities/remediation/kube/api';
import { clientNodeApi } from '../../activities/remediation/kube/client-node';
import { defaultRegistry } from '../../activities/remediation/registry';
import type { RunnerDeps } from '../../activities/remediation/runner';
import { revertActions, runActions } from '../../activities/remediation/runner';
import type { Asset, ProposedAction } from '../../contracts';
import { createLogger } from '../../lib/logger';
import { fromRoot } from '../../lib/paths';
import { KUBE_START_TIMEOUT_MS, KUBE_STOP_TIMEOUT_MS, readAudit, startTestKube } from '../helpers/kube-cluster';
import type { KubeCluster } from '../helpers/kube-cluster';
import { applyRemediationRbac } from '../helpers/kube-rbac';
import type { RemediationRbac } from '../helpers/kube-rbac';
import { ensureNamespace, fullContainerId, seedDeployment } from '../helpers/kube-seed';

// Every actionner acting on a real kube-apiserver (RBAC on, audit log), as the chart's
// ServiceAccount: a TokenRequest token bound to the Role `helm template` renders, never the admin.
const ALL = defaultRegistry()
  .list()
  .map((a) => a.name);
const log = createLogger('remediation-kube-test', 'silent');
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const id = (seed: string) => fullContainerId(createHash('sha256').update(seed).digest('hex').slice(0, 12));

describe('remediation on a real API server', () => {
  let cluster: KubeCluster | undefined;
  let wide: RemediationRbac;
  let narrow: RemediationRbac;
  let evidenceDir: string;

  const c = () => {
    if (!cluster) throw new Error('the cluster did not start');
    return cluster;
  };
  const act = (actionId: string, actionner: string, pod: string, namespace = 'shop', params: Record<string, unknown> = {}): ProposedAction => ({
    id: actionId,
    actionner,
    target: { namespace, pod },
    params,
    blastRadius: { scope: 'pod', pods: 1 },
    rationale: '',
  });
  const subject = (pod: string, container: string, namespace = 'shop'): Asset => ({ kind: 'pod', namespace, pod, container: container.slice(0, 12), node: 'node-a' });
  const deps = (kube: KubeApi, over: Partial<RunnerDeps> = {}): RunnerDeps => ({
    registry: defaultRegistry(),
    kube,
    dryRun: false,
    guards: () => loadGuards(fromRoot('policies')),
    evidenceDir,
    log,
    ...over,
  });
  const asRemediation = () => clientNodeApi(wide.credentials.kubeConfig);

  beforeAll(async () => {
    cluster = await startTestKube();
    evidenceDir = mkdtempSync(join(tmpdir(), 'vigil-evidence-'));
    const admin = c().kubeConfig;
    // Cluster-wide ClusterRole with every actionner; and the acting example's narrow Roles (label + networkpolicy in shop, payments).
    wide = await applyRemediationRbac(admin, { release: 'wide', values: ['--set-json', `remediation.actionners=${JSON.stringify(ALL)}`] });
    narrow = await applyRemediationRbac(admin, { release: 'narrow' });
    await seedDeployment(admin, {
      namespace: 'shop',
      name: 'web',
      podTemplateHash: '7d4b9c',
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      pods: ['a', 'b', 'c'].map((s) => ({ name: `web-7d4b9c-${s}`, nodeName: 'node-a', containerIds: { app: id(`web-${s}`) } })),
    });
    await seedDeployment(admin, {
      namespace: 'shop',
      name: 'batch',
      podTemplateHash: '5f6a7b',
      containers: [{ name: 'worker', image: 'busybox:1.36' }],
      pods: ['x', 'y'].map((s) => ({ name: `batch-5f6a7b-${s}`, nodeName: 'node-a', containerIds: { worker: id(`batch-${s}`) } })),
    });
    await seedDeployment(admin, {
      namespace: 'shop',
      name: 'solo',
      podTemplateHash: '9e8d7c',
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      pods: [{ name: 'solo-9e8d7c-z', nodeName: 'node-a', containerIds: { app: id('solo-z') } }],
    });
    await ensureNamespace(admin, 'other');
    await seedDeployment(admin, {
      namespace: 'other',
      name: 'api',
      podTemplateHash: '1a2b3c',
      containers: [{ name: 'app', image: 'nginx:1.27' }],
      pods: [{ name: 'api-1a2b3c-q', nodeName: 'node-a', containerIds: { app: id('api-q') } }],
    });
  }, KUBE_START_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
    if (evidenceDir) rmSync(evidenceDir, { recursive: true, force: true });
  }, KUBE_STOP_TIMEOUT_MS);

  it('captures evidence, quarantines, isolates and cordons as the chart ServiceAccount, once, and reverts all of it', async () => {
    const admin = c().kubeConfig;
    const pod = 'web-7d4b9c-a';
    const actions = [
      act('quarantine', 'kubernetes:label', pod, 'shop', { labels: { 'vigil.dev/quarantine': 'true' } }),
      act('isolate', 'kubernetes:networkpolicy', pod),
      act('cordon', 'kubernetes:cordon', pod),
      act('evidence', 'kubernetes:evidence', pod),
    ];
    const results = await runActions(actions, subject(pod, id('web-a')), 'incident-web-a', deps(asRemediation()));
    expect(results.map((r) => `${r.actionId}=${r.status}`)).toEqual(['evidence=executed', 'quarantine=executed', 'isolate=executed', 'cordon=executed']);
    const [evidence, , isolate] = results;
    expect(evidence?.preflight).toMatchObject({ matchedBy: 'container_id', owners: [{ kind: 'ReplicaSet', name: 'web-7d4b9c' }, { kind: 'Deployment', name: 'web' }], healthyReplicas: 3 });
    const artifact = readFileSync(evidence?.artifact?.path ?? '');
    expect(createHash('sha256').update(artifact).digest('hex')).toBe(evidence?.artifact?.sha256);
    // No kubelet here: the API server cannot serve logs, and the outcome says why.
    expect(evidence?.message).toMatch(/logs unavailable for app \(.+\)/);

    const core = admin.makeApiClient(CoreV1Api);
    const live = await core.readNamespacedPod({ namespace: 'shop', name: pod });
    expect(live.metadata?.labels).toMatchObject({ 'vigil.dev/quarantine': 'true', 'vigil.dev/isolated': expect.any(String) });
    expect(live.metadata?.annotations?.['vigil.dev/incident']).toBe('incident-web-a');
    const npName = isolate?.writes?.[1]?.ref.name ?? '';
    expect(npName).toMatch(/^vigil-isolate-[0-9a-f]{8}$/);
    const np = await admin.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace: 'shop', name: npName });
    expect(np.spec).toMatchObject({ podSelector: { matchLabels: { 'vigil.dev/isolated': npName.slice('vigil-isolate-'.length) } }, policyTypes: ['Ingress', 'Egress'] });
    expect(np.metadata?.managedFields?.map((f) => f.manager)).toContain('vigil');
    expect((await core.readNode({ name: 'node-a' })).spec?.unschedulable).toBe(true);

    // Each write is in the audit log once, by the ServiceAccount; a rerun (a retried activity) writes nothing.
    const user = wide.credentials.username;
    const writes = async () => (await readAudit(c(), { user, verb: ['create', 'patch', 'update', 'delete'] })).filter((e) => (e.responseStatus?.code ?? 0) < 300);
    const before = await writes();
    expect(before.map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`).sort()).toEqual(
      ['patch networkpolicies/' + npName, 'patch nodes/node-a', `patch pods/${pod}`, `patch pods/${pod}`].sort(),
    );
    const again = await runActions(actions, subject(pod, id('web-a')), 'incident-web-a', deps(asRemediation()));
    expect(again.flatMap((r) => r.writes ?? []).map((w) => w.state)).toEqual(['already_applied', 'already_applied', 'already_applied', 'already_applied']);
    expect(await writes()).toHaveLength(before.length);

    const reverts = await revertActions(results, deps(asRemediation()));
    expect(reverts.map((r) => `${r.actionId}:${r.ref.kind}:${r.outcome}`)).toEqual([
      'cordon:Node:reverted',
      'isolate:NetworkPolicy:reverted',
      'isolate:Pod:reverted',
      'quarantine:Pod:reverted',
    ]);
    const after = await core.readNamespacedPod({ namespace: 'shop', name: pod });
    expect(after.metadata?.labels?.['vigil.dev/quarantine']).toBeUndefined();
    expect(Object.keys(after.metadata?.annotations ?? {}).filter((k) => k.startsWith('vigil.dev/'))).toEqual([]);
    await expect(admin.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace: 'shop', name: npName })).rejects.toMatchObject({ code: 404 });
    expect((await core.readNode({ name: 'node-a' })).spec?.unschedulable).toBeFalsy();
    expect((await revertActions(results, deps(asRemediation()))).map((r) => r.outcome)).toEqual(['already_reverted', 'already_reverted', 'already_reverted', 'already_reverted']);
  });

  it('reports, and does not force, a revert over what someone else changed since', async () => {
    const pod = 'web-7d4b9c-b';
    const [label] = await runActions([act('q', 'kubernetes:label', pod, 'shop', { labels: { 'vigil.dev/quarantine': 'true' } })], subject(pod, id('web-b')), 'incident-web-b', deps(asRemediation()));
    const core = c().kubeConfig.makeApiClient(CoreV1Api);
    await core.patchNamespacedPod({ namespace: 'shop', name: pod, body: [{ op: 'replace', path: '/metadata/labels/vigil.dev~1quarantine', value: 'cleared-by-oncall' }] });
    const [r] = await revertActions(label ? [label] : [], deps(asRemediation()));
    expect(r).toMatchObject({ outcome: 'changed_since' });
    expect((await core.readNamespacedPod({ namespace: 'shop', name: pod })).metadata?.labels?.['vigil.dev/quarantine']).toBe('cleared-by-oncall');
  });

  it('terminates a pod that is not the last healthy replica, and scales a Deployment to zero and back', async () => {
    const admin = c().kubeConfig;
    const [t] = await runActions([act('t', 'kubernetes:terminate', 'web-7d4b9c-c')], subject('web-7d4b9c-c', id('web-c')), 'incident-web-c', deps(asRemediation()));
    expect(t).toMatchObject({ status: 'executed', writes: [{ verb: 'delete', prior: { metadata: { name: 'web-7d4b9c-c' } } }] });
    await expect(admin.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: 'shop', name: 'web-7d4b9c-c' })).rejects.toMatchObject({ code: 404 });

    const [s] = await runActions([act('s', 'kubernetes:scale', 'batch-5f6a7b-x')], subject('batch-5f6a7b-x', id('batch-x')), 'incident-batch', deps(asRemediation()));
    expect(s).toMatchObject({ status: 'executed', writes: [{ ref: { kind: 'Deployment', name: 'batch' }, prior: { spec: { replicas: 2 } } }] });
    const apps = admin.makeApiClient(AppsV1Api);
    expect((await apps.readNamespacedDeployment({ namespace: 'shop', name: 'batch' })).spec?.replicas).toBe(0);
    expect((await revertActions(s ? [s] : [], deps(asRemediation())))[0]).toMatchObject({ outcome: 'reverted' });
    expect((await apps.readNamespacedDeployment({ namespace: 'shop', name: 'batch' })).spec?.replicas).toBe(2);
  });

  it('refuses, before any write: a wrong container id, a missing pod, the last healthy replica, a protected namespace', async () => {
    const user = wide.credentials.username;
    const count = async () => (await readAudit(c(), { user, verb: ['create', 'patch', 'update', 'delete'] })).length;
    const before = await count();
    const run = async (a: ProposedAction, s: Asset) => (await runActions([a], s, 'incident-refusals', deps(asRemediation())))[0];
    expect(await run(act('q', 'kubernetes:label', 'web-7d4b9c-a', 'shop', { labels: { a: 'b' } }), subject('web-7d4b9c-a', id('web-b')))).toMatchObject({ status: 'refused', code: 'container_mismatch' });
    expect(await run(act('q', 'kubernetes:label', 'web-7d4b9c-gone', 'shop', { labels: { a: 'b' } }), subject('web-7d4b9c-gone', id('web-a')))).toMatchObject({ status: 'refused', code: 'pod_not_found' });
    expect(await run(act('t', 'kubernetes:terminate', 'solo-9e8d7c-z'), subject('solo-9e8d7c-z', id('solo-z')))).toMatchObject({ status: 'refused', code: 'last_healthy_replica' });
    // policies/data.json lists `vigil` as always-escalate: never acted in, even with a verdict that allows it.
    expect(await run(act('q', 'kubernetes:label', 'x', 'vigil', { labels: { a: 'b' } }), subject('x', id('web-a'), 'vigil'))).toMatchObject({ status: 'refused', code: 'protected_namespace' });
    expect(await count()).toBe(before);
  });

  it("server dry-run is the API server's own (dryRun=All): admitted, nothing stored", async () => {
    const pod = 'web-7d4b9c-a';
    const [r] = await runActions([act('iso', 'kubernetes:networkpolicy', pod)], subject(pod, id('web-a')), 'incident-dry', deps(asRemediation(), { dryRun: true }));
    expect(r).toMatchObject({ status: 'dry_run', message: expect.stringContaining('dryRun=All') });
    expect(r?.writes?.map((w) => w.state)).toEqual(['server_dry_run', 'server_dry_run']);
    const net = c().kubeConfig.makeApiClient(NetworkingV1Api);
    await expect(net.readNamespacedNetworkPolicy({ namespace: 'shop', name: r?.writes?.[1]?.ref.name ?? '' })).rejects.toMatchObject({ code: 404 });
    const dry = await readAudit(c(), { user: wide.credentials.username, resource: 'networkpolicies' });
    expect(dry.some((e) => e.requestURI.includes('dryRun=All'))).toBe(true);
  });

  it('outside the Role: 403 from the API server, reported as failed (forbidden), nothing acted on', async () => {
    const kube = clientNodeApi(narrow.credentials.kubeConfig);
    expect(narrow.namespaces.sort()).toEqual(['payments', 'shop']);
    const [scale] = await runActions([act('s', 'kubernetes:scale', 'batch-5f6a7b-y')], subject('batch-5f6a7b-y', id('batch-y')), 'incident-403', deps(kube));
    expect(scale).toMatchObject({ status: 'failed', code: 'forbidden' });
    expect(scale?.message).toContain('403');
    // Checked against a SelfSubjectAccessReview as the same identity: a real denial, final on the first attempt (it pages at once).
    expect(scale?.message).toContain('SelfSubjectAccessReview');
    expect(scale?.message).toContain('confirms the denial');
    const [elsewhere] = await runActions([act('q', 'kubernetes:label', 'api-1a2b3c-q', 'other', { labels: { a: 'b' } })], subject('api-1a2b3c-q', id('api-q'), 'other'), 'incident-403', deps(kube));
    expect(elsewhere).toMatchObject({ status: 'failed', code: 'forbidden' });
    await expect(kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'anything' }, { dryRun: false })).rejects.toMatchObject({ status: 403 });
    await expect(kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'anything' }, { dryRun: false })).rejects.toBeInstanceOf(KubeApiError);
    // The refused request as the API server's own Forbidden message names it, for the access review.
    await expect(kube.delete({ apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'anything' }, { dryRun: false })).rejects.toMatchObject({
      access: { verb: 'delete', group: '', resource: 'secrets', namespace: 'shop', name: 'anything' },
    });
    // What the Role does grant still works with the same token.
    const [ok] = await runActions([act('q', 'kubernetes:label', 'batch-5f6a7b-y', 'shop', { labels: { 'vigil.dev/quarantine': 'true' } })], subject('batch-5f6a7b-y', id('batch-y')), 'incident-403', deps(kube));
    expect(ok).toMatchObject({ status: 'executed' });
  });

  describe('containment time-to-live (time-skipping server, real API server)', () => {
    let env: TestWorkflowEnvironment | undefined;
    let policyDir: string;
    let ttlAnalysts: TestAnalysts | undefined;
    const notices: string[] = [];

    beforeAll(async () => {
      env = await timeSkippingEnv();
      // The repo's policy data plus a containment TTL for medium findings.
      policyDir = mkdtempSync(join(tmpdir(), 'vigil-ttl-policy-'));
      const data = JSON.parse(readFileSync(fromRoot('policies', 'data.json'), 'utf8')) as { vigil: { config: Record<string, unknown> } };
      data.vigil.config.remediation = { containment_ttl_seconds: { medium: 1800 } };
      writeFileSync(join(policyDir, 'data.json'), JSON.stringify(data));
      ttlAnalysts = await testAnalysts(['alice']);
      await seedDeployment(c().kubeConfig, {
        namespace: 'default',
        name: 'ttl',
        podTemplateHash: '4b5c6d',
        containers: [{ name: 'app', image: 'alpine:3.20' }],
        pods: ['m', 'n'].map((s) => ({ name: `ttl-4b5c6d-${s}`, nodeName: 'node-a', containerIds: { app: id(`ttl-${s}`) } })),
      });
    }, 120_000);
    afterAll(async () => {
      await env?.teardown();
      if (policyDir) rmSync(policyDir, { recursive: true, force: true });
      ttlAnalysts?.remove();
    });

    const incidentOn = (pod: string) => {
      const base = exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.ns.name'] === 'default'));
      return anomalyOf(withReverseShell({ ...base, priority: 'Warning', hostname: 'node-a', output_fields: { ...base.output_fields, 'k8s.pod.name': pod, 'container.id': id(pod.replace('-4b5c6d-', '-')).slice(0, 12) } }));
    };
    const workers = () =>
      inProcessAgents((env as TestWorkflowEnvironment).nativeConnection, {
        notifier: recordingNotifier(notices),
        remediation: deps(asRemediation(), { guards: () => loadGuards(policyDir) }),
        issuers: ttlAnalysts ? trustedIssuers(decisionTrustConfigFromEnv(ttlAnalysts.env)) : [],
      });
    const quarantined = async (pod: string) => (await c().kubeConfig.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: 'default', name: pod })).metadata?.labels?.['vigil.dev/quarantine'];

    it('reverts the containment when its policy TTL passes unconfirmed (durable timer)', async () => {
      const anomaly = incidentOn('ttl-4b5c6d-m');
      const workflowId = incidentIdFor(anomaly);
      const outcome = await withWorkers(await workers(), async () => {
        const handle = await (env as TestWorkflowEnvironment).client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
        return handle.result(); // time skips through the 30 min hold
      });
      expect(outcome.actionResults.map((r) => r.status)).toEqual(['executed', 'executed']);
      expect(outcome.containment).toMatchObject({ state: 'expired', ttlSeconds: 1800, settledBy: 'policy-ttl' });
      expect(outcome.containment?.reverts.map((r) => r.outcome)).toEqual(['reverted', 'reverted', 'reverted']);
      expect(await quarantined('ttl-4b5c6d-m')).toBeUndefined();
      expect(notices).toEqual([`${workflowId}:resolution`, `${workflowId}:containment_released`]);
    });

    it('keeps it when an analyst confirms before the TTL', async () => {
      const anomaly = incidentOn('ttl-4b5c6d-n');
      const workflowId = incidentIdFor(anomaly);
      const outcome = await withWorkers(await workers(), async () => {
        const handle = await (env as TestWorkflowEnvironment).client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
        await until('containment held', async () => ((await handle.query(stateQuery)).containment?.state === 'held' ? true : undefined));
        const refused = await requestContainment((env as TestWorkflowEnvironment).client, workflowId, 'confirm', { analyst: 'nobody' });
        expect(refused).toMatchObject({ accepted: false, reason: expect.stringContaining('not authorized') });
        // Confirming is a signed approve of the incident's verdict, in alice's name.
        const { token } = await ttlAnalysts!.decision(handle, 'alice', 'approve', 'real intrusion');
        expect(await requestContainment((env as TestWorkflowEnvironment).client, workflowId, 'confirm', { analyst: 'alice', reason: 'real intrusion', token })).toMatchObject({ accepted: true, containment: { state: 'confirmed' } });
        return handle.result();
      });
      expect(outcome.containment).toMatchObject({ state: 'confirmed', settledBy: 'alice', reverts: [] });
      expect(await quarantined('ttl-4b5c6d-n')).toBe('true');
    });
  });

  describe('an incident that acts, end to end (five worker processes, remediation as the chart ServiceAccount)', () => {
    let server: DevServer | undefined;
    let agents: WorkerStack | undefined;
    let remediation: WorkerStack | undefined;
    let client: Client | undefined;
    let dir: string;
    let analysts: TestAnalysts | undefined;
    const pod = 'shell-6c7d8f-kq2zx';

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-acting-'));
      await seedDeployment(c().kubeConfig, {
        namespace: 'default',
        name: 'shell',
        podTemplateHash: '6c7d8f',
        containers: [{ name: 'app', image: 'alpine:3.20' }],
        pods: [{ name: pod, nodeName: 'node-a', containerIds: { app: id('shell') } }],
      });
      const kubeconfig = join(dir, 'remediation.kubeconfig');
      await writeKubeconfig(wide.credentials.kubeConfig, kubeconfig);
      server = await startDevServer({ uiPort: null, logFile: join(dir, 'temporal.log') });
      // Two stacks, one trust: review signs with the verdict key remediation verifies, and trusts the tests' gate key.
      const verdictKey = freshKeys('verdict').files;
      const trust = { VIGIL_VERDICT_SIGNING_KEY_FILE: verdictKey.privateKeyFile, VIGIL_VERDICT_PUBLIC_KEY_FILE: verdictKey.publicKeyFile, VIGIL_GATE_PUBLIC_KEY_FILE: testGateKeys().publicKeyFile };
      // Containment requests are signed decisions: alice is a policy analyst, mallory has a key but no place in policy.
      analysts = await testAnalysts(['alice', 'mallory']);
      agents = await startWorkers({ temporalAddress: server.address, logDir: dir, names: ['coordinator', 'analysis', 'review', 'notification'], env: { ...trust, ...analysts.env } });
      // Only the remediation worker holds a token: the chart ServiceAccount's, from the TokenRequest API.
      remediation = await startWorkers({
        temporalAddress: server.address,
        logDir: join(dir, 'remediation'),
        names: ['remediation'],
        env: { ...trust, KUBECONFIG: kubeconfig, VIGIL_DRY_RUN: 'false', VIGIL_POLICY_DIR: fromRoot('policies'), VIGIL_EVIDENCE_DIR: evidenceDir, VIGIL_KUBE_WRITE_INTERVAL_MS: '2500' },
      });
      client = await connectClient(temporalConfigFromEnv({ TEMPORAL_ADDRESS: server.address }));
    }, 180_000);

    afterAll(async () => {
      await client?.connection.close().catch(() => undefined);
      await remediation?.stop();
      await agents?.stop();
      await server?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
      analysts?.remove();
    }, 120_000);

    it('survives kill -9 of the remediation worker mid-containment: each write once in the audit log, the incident completes, vigil revert undoes it', async () => {
      const base = exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.ns.name'] === 'default'));
      const alert = withReverseShell({ ...base, priority: 'Warning' as const, hostname: 'node-a', output_fields: { ...base.output_fields, 'k8s.pod.name': pod, 'container.id': id('shell').slice(0, 12) } });
      const user = wide.credentials.username;
      const all = async () => (await readAudit(c(), { user, verb: ['create', 'patch', 'update', 'delete'], namespace: 'default' })).filter((e) => (e.responseStatus?.code ?? 0) < 300);
      // Only this incident's writes: earlier tests in this file wrote in `default` too.
      const earlier = (await all()).length;
      const writes = async () => (await all()).slice(earlier);
      const { incidentId } = await startIncident(client as Client, anomalyOf(alert));
      const handle = (client as Client).workflow.getHandle(incidentId);

      // The first write (the quarantine label) lands; the next ones are paced 2.5 s apart: kill the worker now.
      await until('the first containment write', async () => ((await writes()).length >= 1 ? true : undefined));
      const worker = remediation?.workers.get('remediation');
      await worker?.kill9();
      expect((await writes()).length).toBeLessThan(3);
      await remediation?.start('remediation');

      const state = await waitForStatus(handle, 'contained', 120_000);
      expect(state.actionResults.map((r) => `${r.actionner}=${r.status}`)).toEqual(['kubernetes:label=executed', 'kubernetes:networkpolicy=executed']);
      const audited = (await writes()).map((e) => `${e.verb} ${e.objectRef?.resource}/${e.objectRef?.name}`);
      const np = state.actionResults[1]?.writes?.[1]?.ref.name ?? '';
      // Exactly once: the label patch, the isolation label patch, the NetworkPolicy apply — none repeated by the retry.
      expect(audited.sort()).toEqual([`patch networkpolicies/${np}`, `patch pods/${pod}`, `patch pods/${pod}`].sort());
      expect(state.actionResults.flatMap((r) => r.writes ?? []).some((w) => w.state === 'already_applied')).toBe(true);
      expect(state.containment).toMatchObject({ state: 'held', ttlSeconds: null });

      const vigil = (...args: string[]) => runVigil(args, { env: { TEMPORAL_ADDRESS: server?.address ?? '', ...analysts?.env } });
      // Releasing containment takes a signed reject: a plain request naming alice, and alice's signed approve, are refused.
      const revertWith = (request: unknown) => handle.executeUpdate(revertContainmentUpdate, { args: [request] });
      await expect(revertWith({ analyst: 'alice', reason: 'unsigned' })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not authorized: .*not signed/) } });
      const approve = await analysts!.decision(handle, 'alice', 'approve');
      await expect(revertWith({ analyst: 'alice', reason: 'wrong act', token: approve.token })).rejects.toMatchObject({ cause: { message: expect.stringMatching(/a signed approve cannot revert/) } });
      const refused = await vigil('revert', incidentId, '--analyst', 'mallory', '--reason', 'let me in');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('not authorized');
      const reverted = await vigil('revert', incidentId, '--analyst', 'alice', '--reason', 'false positive: a debugging session');
      expect(reverted.stdout).toContain('containment reverted by alice');
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ resolution: 'executed' });
      const core = c().kubeConfig.makeApiClient(CoreV1Api);
      expect((await core.readNamespacedPod({ namespace: 'default', name: pod })).metadata?.labels?.['vigil.dev/quarantine']).toBeUndefined();
      await expect(c().kubeConfig.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ namespace: 'default', name: np })).rejects.toMatchObject({ code: 404 });

      const audit = await vigil('audit', incidentId);
      expect(audit.stdout).toMatch(/wrote\s+patch Pod default\/shell-6c7d8f-kq2zx \[(applied|already_applied)\] prior/);
      expect(audit.stdout).toMatch(/reverted\s+by alice \(analyst\)/);
    });
  });
});
