import { writeMarker } from '../../../activities/remediation/actionner';
import { applyOperation, priorOf, revertWrite } from '../../../activities/remediation/applier';
import type { KubeOperation } from '../../../activities/remediation/actionner';
import { FakeKube, seedWorkload } from '../../helpers/fake-kube-api';

const POD = { apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: 'web-5d9c-abcde' };
const key = 'incident-1/a1';
const ctx = { idempotencyKey: key, marker: writeMarker(key, 0), dryRun: false };
const labelOp: KubeOperation = { verb: 'patch', ...POD, body: { metadata: { labels: { 'vigil.dev/quarantine': 'true', app: 'quarantined' } } } };

describe('applier', () => {
  it('records the value of every field a patch replaces (null where absent)', () => {
    const prior = priorOf({ metadata: { labels: { a: 'x', b: 'y' } }, spec: { replicas: 0 } }, { metadata: { name: 'n', labels: { a: 'old' } }, spec: { replicas: 3 } });
    expect(prior).toEqual({ metadata: { labels: { a: 'old', b: null } }, spec: { replicas: 3 } });
  });

  it('writes a patch once: a retry finds its own mark and writes nothing', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const first = await applyOperation(kube, labelOp, ctx);
    expect(first).toMatchObject({ state: 'applied', prior: { metadata: { labels: { 'vigil.dev/quarantine': null, app: 'web' } } } });
    const again = await applyOperation(kube, labelOp, ctx);
    expect(again).toMatchObject({ state: 'already_applied', prior: first.prior });
    expect(kube.writes.filter((w) => w.verb === 'patch')).toHaveLength(1);
    expect(kube.get(POD)?.metadata.labels).toMatchObject({ 'vigil.dev/quarantine': 'true' });
  });

  it('re-reads and retries when the object changed between read and write (conditional on resourceVersion)', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    let raced = false;
    kube.beforeWrite = () => {
      if (!raced) kube.edit(POD, { metadata: { labels: { app: 'edited' } } });
      raced = true;
    };
    const w = await applyOperation(kube, labelOp, ctx);
    expect(w.prior).toEqual({ metadata: { labels: { 'vigil.dev/quarantine': null, app: 'edited' } } });
  });

  it('reverts to the prior state, then reports already reverted', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const w = await applyOperation(kube, labelOp, ctx);
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'reverted' });
    expect(kube.get(POD)?.metadata.labels).toEqual({ app: 'web' });
    expect(kube.get(POD)?.metadata.annotations?.[ctx.marker]).toBeUndefined();
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'already_reverted' });
  });

  it('does not force a revert over a field someone else changed since', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const w = await applyOperation(kube, labelOp, ctx);
    kube.edit(POD, { metadata: { labels: { 'vigil.dev/quarantine': 'reviewed' } } });
    const r = await revertWrite(kube, w, { dryRun: false, idempotencyKey: key });
    expect(r).toMatchObject({ outcome: 'changed_since' });
    expect(r.message).toContain('metadata.labels.vigil.dev/quarantine');
    expect(kube.get(POD)?.metadata.labels?.['vigil.dev/quarantine']).toBe('reviewed');
  });

  it("restores what the object's own mark says, not what a (possibly forged) record claims", async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const w = await applyOperation(kube, labelOp, ctx);
    await revertWrite(kube, { ...w, prior: { metadata: { labels: { app: 'attacker' }, annotations: { evil: 'yes' } } } }, { dryRun: false, idempotencyKey: key });
    expect(kube.get(POD)?.metadata.labels).toEqual({ app: 'web' });
    expect(kube.get(POD)?.metadata.annotations?.evil).toBeUndefined();
    // A record under another action's key cannot undo this one's write.
    const w2 = await applyOperation(kube, labelOp, ctx);
    expect(await revertWrite(kube, w2, { dryRun: false, idempotencyKey: 'incident-2/a1' })).toMatchObject({ outcome: 'changed_since' });
  });

  it("applies an object once, refuses to take over one that is not this action's, and deletes only its own on revert", async () => {
    const kube = new FakeKube();
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'shop', name: 'vigil-isolate-1' };
    const body = { apiVersion: np.apiVersion, kind: np.kind, metadata: { name: np.name, namespace: 'shop', annotations: { 'vigil.dev/action': key } }, spec: { podSelector: {} } };
    const op: KubeOperation = { verb: 'apply', ...np, body };
    const w = await applyOperation(kube, op, ctx);
    expect(w).toMatchObject({ state: 'applied', prior: null, generation: 1 });
    expect(await applyOperation(kube, op, ctx)).toMatchObject({ state: 'already_applied' });
    expect(kube.writes.filter((x) => x.verb === 'apply')).toHaveLength(1);
    await expect(applyOperation(kube, op, { ...ctx, idempotencyKey: 'incident-2/a1' })).rejects.toThrow('not this action');
    kube.edit(np, { spec: { podSelector: { matchLabels: { x: 'y' } } } });
    const stored = kube.get(np);
    if (stored) stored.metadata.generation = 2;
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'changed_since' });
    if (stored) stored.metadata.generation = 1;
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'reverted' });
    expect(kube.get(np)).toBeUndefined();
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'already_reverted' });
  });

  it('deletes conditionally on the verified uid and reports the delete as irreversible', async () => {
    const kube = new FakeKube();
    const pod = seedWorkload(kube);
    const op: KubeOperation = { verb: 'delete', ...POD, body: { gracePeriodSeconds: 0 } };
    await expect(applyOperation(kube, op, { ...ctx, expectUid: 'another-uid' })).rejects.toThrow('was replaced');
    const w = await applyOperation(kube, op, { ...ctx, expectUid: pod.metadata.uid });
    expect(w).toMatchObject({ verb: 'delete', state: 'applied', prior: { metadata: { name: POD.name } } });
    expect(kube.get(POD)).toBeUndefined();
    expect(await revertWrite(kube, w, { dryRun: false, idempotencyKey: key })).toMatchObject({ outcome: 'irreversible' });
  });

  it('server dry-run writes nothing', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const before = JSON.stringify(kube.get(POD));
    expect(await applyOperation(kube, labelOp, { ...ctx, dryRun: true })).toMatchObject({ state: 'server_dry_run' });
    expect(JSON.stringify(kube.get(POD))).toBe(before);
    expect(kube.writes).toEqual([expect.objectContaining({ dryRun: true })]);
  });
});
