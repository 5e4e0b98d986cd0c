import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { guardsFromData } from '../../../activities/remediation/guards';
import { defaultRegistry } from '../../../activities/remediation/registry';
import type { RunnerDeps } from '../../../activities/remediation/runner';
import { revertActions, runActions } from '../../../activities/remediation/runner';
import type { ProposedAction } from '../../../contracts';
import { createLogger } from '../../../lib/logger';
import { FakeKube, seedWorkload, SUBJECT } from '../../helpers/fake-kube-api';

const log = createLogger('test', 'silent');
const act = (id: string, actionner: string, params: Record<string, unknown> = {}, pod = 'web-5d9c-abcde'): ProposedAction => ({
  id,
  actionner,
  target: { namespace: 'shop', pod },
  params,
  blastRadius: { scope: 'pod', pods: 1 },
  rationale: '',
});
const POD = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-5d9c-abcde' };

describe('remediation runner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-evidence-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const deps = (kube: FakeKube, over: Partial<RunnerDeps> = {}): RunnerDeps => ({ registry: defaultRegistry(), kube, dryRun: false, evidenceDir: dir, log, ...over });

  it('captures evidence before containment, then labels and isolates the pod, each write with the state it replaced', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const actions = [act('quarantine', 'kubernetes:label', { labels: { 'vigil.dev/quarantine': 'true' } }), act('isolate', 'kubernetes:networkpolicy'), act('evidence', 'kubernetes:evidence')];
    const results = await runActions(actions, SUBJECT, 'incident-1', deps(kube));
    expect(results.map((r) => [r.actionId, r.status])).toEqual([
      ['evidence', 'executed'],
      ['quarantine', 'executed'],
      ['isolate', 'executed'],
    ]);
    const [evidence, label, isolate] = results;
    const file = readFileSync(evidence?.artifact?.path ?? '');
    expect(createHash('sha256').update(file).digest('hex')).toBe(evidence?.artifact?.sha256);
    expect(JSON.parse(file.toString())).toMatchObject({ pod: { metadata: { name: POD.name } }, preflight: { owners: [{ kind: 'ReplicaSet' }, { kind: 'Deployment' }] } });
    expect(evidence?.message).toContain('logs unavailable for app');
    expect(label?.writes?.[0]).toMatchObject({ verb: 'patch', prior: { metadata: { labels: { 'vigil.dev/quarantine': null } } } });
    expect(isolate?.writes?.map((w) => `${w.verb} ${w.ref.kind}`)).toEqual(['patch Pod', 'apply NetworkPolicy']);
    expect(kube.get(POD)?.metadata.labels).toMatchObject({ 'vigil.dev/quarantine': 'true', 'vigil.dev/isolated': expect.any(String) });

    // A retried activity writes nothing again and reproduces the same records.
    const writes = kube.writes.length;
    const again = await runActions(actions, SUBJECT, 'incident-1', deps(kube));
    expect(kube.writes.length).toBe(writes);
    expect(again.flatMap((r) => r.writes ?? []).every((w) => w.state === 'already_applied')).toBe(true);
    expect(again[0]?.artifact?.sha256).toBe(evidence?.artifact?.sha256);

    // Revert undoes it last-first and leaves the pod as it was.
    const reverts = await revertActions(results, deps(kube));
    expect(reverts.map((r) => `${r.actionId}:${r.verb} ${r.ref.kind}:${r.outcome}`)).toEqual([
      'isolate:apply NetworkPolicy:reverted',
      'isolate:patch Pod:reverted',
      'quarantine:patch Pod:reverted',
    ]);
    expect(kube.get(POD)?.metadata.labels).toEqual({ app: 'web' });
    expect((await revertActions(results, deps(kube))).map((r) => r.outcome)).toEqual(['already_reverted', 'already_reverted', 'already_reverted']);
  });

  it('refuses every action when the alert names another container, writing nothing', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const results = await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } }), act('t', 'kubernetes:terminate')], { ...SUBJECT, container: 'ffffffffffff' }, 'i', deps(kube));
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ['refused', 'container_mismatch'],
      ['refused', 'container_mismatch'],
    ]);
    expect(kube.writes).toEqual([]);
  });

  it('never terminates a DaemonSet pod or the last healthy replica', async () => {
    const ds = new FakeKube();
    seedWorkload(ds, { owner: 'DaemonSet' });
    expect((await runActions([act('t', 'kubernetes:terminate')], SUBJECT, 'i', deps(ds)))[0]).toMatchObject({ status: 'refused', code: 'daemonset_pod' });
    const last = new FakeKube();
    seedWorkload(last, { healthy: 1 });
    expect((await runActions([act('t', 'kubernetes:terminate')], SUBJECT, 'i', deps(last)))[0]).toMatchObject({ status: 'refused', code: 'last_healthy_replica' });
    const two = new FakeKube();
    seedWorkload(two, { healthy: 2 });
    const guards = () => guardsFromData({ vigil: { config: { remediation: { min_healthy_replicas: 2 } } } }, 'data.json');
    expect((await runActions([act('t', 'kubernetes:terminate')], SUBJECT, 'i', deps(two, { guards })))[0]).toMatchObject({ status: 'refused', code: 'last_healthy_replica' });
    expect((await runActions([act('t', 'kubernetes:terminate')], SUBJECT, 'i', deps(two)))[0]).toMatchObject({ status: 'executed' });
    expect(two.get(POD)).toBeUndefined();
    expect(ds.writes.concat(last.writes)).toEqual([]);
  });

  it('never acts in a protected namespace from policy data, whatever the verdict allowed', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const guards = () => guardsFromData({ vigil: { config: { always_escalate_namespaces: ['shop'] } } }, 'data.json');
    expect((await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } })], SUBJECT, 'i', deps(kube, { guards })))[0]).toMatchObject({ status: 'refused', code: 'protected_namespace' });
    const broken = () => {
      throw new Error('policy data unreadable');
    };
    expect((await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } })], SUBJECT, 'i', deps(kube, { guards: broken })))[0]).toMatchObject({ status: 'refused', code: 'guards_unavailable' });
    expect(kube.writes).toEqual([]);
  });

  it('scales the owning Deployment to zero and restores the previous replicas on revert; cordons and uncordons the node', async () => {
    const kube = new FakeKube();
    seedWorkload(kube, { healthy: 3 });
    kube.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} });
    const results = await runActions([act('scale', 'kubernetes:scale'), act('cordon', 'kubernetes:cordon')], SUBJECT, 'i', deps(kube));
    expect(results.map((r) => r.status)).toEqual(['executed', 'executed']);
    expect(results[0]?.writes?.[0]).toMatchObject({ ref: { kind: 'Deployment', name: 'web' }, prior: { spec: { replicas: 3 } } });
    const replicas = () => kube.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' })?.spec as { replicas?: number };
    const node = () => kube.get({ apiVersion: 'v1', kind: 'Node', name: 'node-1' })?.spec as { unschedulable?: boolean };
    expect(replicas().replicas).toBe(0);
    expect(node().unschedulable).toBe(true);
    await revertActions(results, deps(kube));
    expect(replicas().replicas).toBe(3);
    expect(node().unschedulable).toBeUndefined();
  });

  it('refuses to scale a bare pod', async () => {
    const kube = new FakeKube();
    seedWorkload(kube, { owner: 'none' });
    expect((await runActions([act('s', 'kubernetes:scale')], SUBJECT, 'i', deps(kube)))[0]).toMatchObject({ status: 'refused', code: 'not_scalable' });
  });

  it('reports a 403 as failed (forbidden), keeping the writes that did land so they can be reverted', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    kube.refuse.set('NetworkPolicy', 403);
    const [r] = await runActions([act('isolate', 'kubernetes:networkpolicy')], SUBJECT, 'i', deps(kube));
    expect(r).toMatchObject({ status: 'failed', code: 'forbidden' });
    expect(r?.writes?.map((w) => w.ref.kind)).toEqual(['Pod']);
    expect((await revertActions(r ? [r] : [], deps(kube)))[0]).toMatchObject({ outcome: 'reverted' });
  });

  it("server dry-run: the API server's dryRun=All instead of a local plan, nothing stored", async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const [r] = await runActions([act('isolate', 'kubernetes:networkpolicy')], SUBJECT, 'i', deps(kube, { dryRun: true }));
    expect(r).toMatchObject({ status: 'dry_run' });
    expect(r?.message).toContain('dryRun=All');
    expect(r?.writes?.every((w) => w.state === 'server_dry_run')).toBe(true);
    expect(kube.writes.every((w) => w.dryRun)).toBe(true);
    expect(kube.get({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'shop', name: r?.writes?.[1]?.ref.name ?? '' })).toBeUndefined();
  });

  it('without an API server records the local plan (dry-run only)', async () => {
    const [r] = await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } })], SUBJECT, 'i', { registry: defaultRegistry(), dryRun: true, log });
    expect(r).toMatchObject({ status: 'dry_run', message: expect.stringContaining('no Kubernetes API configured') });
  });

  it('a retry reuses results an earlier attempt journaled (heartbeat details)', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const recorded: unknown[] = [];
    const first = await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } })], SUBJECT, 'i', deps(kube), { done: [], record: (r) => recorded.push(r) });
    expect(recorded[recorded.length - 1]).toEqual(first);
    kube.refuse.set('Pod', 500); // anything touching the API now would fail
    const again = await runActions([act('q', 'kubernetes:label', { labels: { a: 'b' } })], SUBJECT, 'i', deps(kube), { done: first, record: () => undefined });
    expect(again).toEqual(first);
  });
});
