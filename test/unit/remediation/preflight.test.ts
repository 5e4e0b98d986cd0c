import { DEFAULT_GUARDS } from '../../../activities/remediation/guards';
import { containerIdMatches, verifyTarget } from '../../../activities/remediation/preflight';
import { CONTAINER, FakeKube, seedWorkload, SUBJECT } from '../../helpers/fake-kube-api';

const target = { namespace: 'shop', pod: 'web-5d9c-abcde' };

describe('pre-flight against the live pod', () => {
  it("matches Falco's 12-character container id against the kubelet's containerd://<64 hex>", () => {
    expect(containerIdMatches(CONTAINER.slice(0, 12), [CONTAINER])).toBe(true);
    expect(containerIdMatches(CONTAINER.slice(0, 12).toUpperCase(), [CONTAINER])).toBe(true);
    expect(containerIdMatches('ffffffffffff', [CONTAINER])).toBe(false);
    expect(containerIdMatches(CONTAINER.slice(0, 6), [CONTAINER])).toBe(false); // too short to identify a container
    expect(containerIdMatches('a1b2c3d4e5f6; rm', [CONTAINER])).toBe(false);
  });

  it('verifies the pod and records its owner chain Pod → ReplicaSet → Deployment', async () => {
    const kube = new FakeKube();
    seedWorkload(kube, { healthy: 3 });
    const v = await verifyTarget(kube, target, SUBJECT, DEFAULT_GUARDS);
    if (!v.ok) throw new Error(v.reason);
    expect(v.target.record).toMatchObject({ matchedBy: 'container_id', healthyReplicas: 3, pod: { node: 'node-1' } });
    expect(v.target.record.owners.map((o) => `${o.kind}/${o.name}`)).toEqual(['ReplicaSet/web-5d9c', 'Deployment/web']);
    expect(v.target.workload).toMatchObject({ kind: 'Deployment', name: 'web' });
  });

  it("refuses an alert whose container is not one of the pod's, even on the same node", async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const v = await verifyTarget(kube, target, { ...SUBJECT, container: 'ffffffffffff' }, DEFAULT_GUARDS);
    expect(v).toMatchObject({ ok: false, code: 'container_mismatch' });
  });

  it('falls back to the node only when a side has no container id, and refuses another node', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const { container: _c, ...noContainer } = SUBJECT;
    expect(await verifyTarget(kube, target, noContainer, DEFAULT_GUARDS)).toMatchObject({ ok: true, target: { record: { matchedBy: 'node' } } });
    expect(await verifyTarget(kube, target, { ...noContainer, node: 'node-9' }, DEFAULT_GUARDS)).toMatchObject({ ok: false, code: 'facts_mismatch' });
  });

  it('refuses a missing pod, an action aimed at another pod than the alert, missing alert facts and protected namespaces', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    expect(await verifyTarget(kube, { namespace: 'shop', pod: 'gone' }, { ...SUBJECT, pod: 'gone' }, DEFAULT_GUARDS)).toMatchObject({ ok: false, code: 'pod_not_found' });
    expect(await verifyTarget(kube, { namespace: 'shop', pod: 'web-other' }, SUBJECT, DEFAULT_GUARDS)).toMatchObject({ ok: false, code: 'target_not_alert_pod' });
    expect(await verifyTarget(kube, target, undefined, DEFAULT_GUARDS)).toMatchObject({ ok: false, code: 'no_alert_facts' });
    expect(await verifyTarget(kube, { namespace: 'kube-system', pod: 'x' }, SUBJECT, DEFAULT_GUARDS)).toMatchObject({ ok: false, code: 'protected_namespace' });
    // Protected namespaces are refused before anything is read.
    expect(kube.writes).toEqual([]);
  });
});
