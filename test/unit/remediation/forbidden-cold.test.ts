import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRemediationActivities } from '../../../activities/remediation';
import { classifyFailure, TRANSIENT_FAILURE_CODES } from '../../../activities/remediation/failure';
import { authorizerRefusal, KubeApiError } from '../../../activities/remediation/kube/api';
import { runActions } from '../../../activities/remediation/runner';
import type { AgentMessage } from '../../../contracts';
import { FakeKube, seedWorkload, SUBJECT } from '../../helpers/fake-kube-api';
import { lastAttempt, quarantine, revertRequest, runnerDeps as deps } from '../../helpers/remediation-fixtures';

/**
 * A 403 is either a real RBAC denial (final, pages at once) or a kube-apiserver just started again
 * whose RBAC caches are still cold (bench/faults.ts kube-api-down: 6 of 50 not contained). The
 * runner asks a SelfSubjectAccessReview for exactly the refused request: allowed → retry, denied → final.
 */
const refusedPatch = () =>
  new KubeApiError(403, 'Forbidden', 'patch Pod shop/web-1: HTTP 403 Forbidden: x', { verb: 'patch', group: '', resource: 'pods', namespace: 'shop', name: 'web-1' });

describe('a 403 checked against a SelfSubjectAccessReview', () => {
  it("reads the refused request from the authorizer's Forbidden message, and nothing from any other 403", () => {
    expect(authorizerRefusal('pods "web-1" is forbidden: User "system:serviceaccount:vigil:rel" cannot patch resource "pods" in API group "" in the namespace "shop"', 'web-1')).toEqual({
      verb: 'patch',
      group: '',
      resource: 'pods',
      namespace: 'shop',
      name: 'web-1',
    });
    expect(authorizerRefusal('pods "web-1" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "shop": RBAC: role not found')).toEqual({
      verb: 'get',
      group: '',
      resource: 'pods',
      subresource: 'log',
      namespace: 'shop',
    });
    expect(authorizerRefusal('nodes is forbidden: User "u" cannot list resource "nodes" in API group "" at the cluster scope')).toEqual({ verb: 'list', group: '', resource: 'nodes' });
    expect(authorizerRefusal('networkpolicies.networking.k8s.io "x" is forbidden: User "u" cannot create resource "networkpolicies" in API group "networking.k8s.io" in the namespace "shop"', 'x')).toMatchObject({
      verb: 'create',
      group: 'networking.k8s.io',
      resource: 'networkpolicies',
    });
    // An admission plugin's denial is a 403 too, but no access review could explain it.
    expect(authorizerRefusal('pods "web-1" is forbidden: violates PodSecurity "restricted:latest": privileged')).toBeUndefined();
  });

  it('classifies: allowed → api_authorizer_cold, denied or a refused review → forbidden, an unreachable review → api_unreachable', async () => {
    const kube = new FakeKube();
    kube.accessReview = () => ({ allowed: true, reason: 'RBAC: allowed by RoleBinding' });
    expect(await classifyFailure(refusedPatch(), kube)).toMatchObject({ code: 'api_authorizer_cold', message: expect.stringContaining('says allowed') });
    expect(kube.reviews).toEqual([{ verb: 'patch', group: '', resource: 'pods', namespace: 'shop', name: 'web-1' }]);
    kube.accessReview = () => ({ allowed: false, reason: '' });
    expect(await classifyFailure(refusedPatch(), kube)).toMatchObject({ code: 'forbidden', message: expect.stringContaining('confirms the denial') });
    kube.accessReview = () => {
      throw new KubeApiError(403, 'Forbidden', 'access review: HTTP 403 Forbidden');
    };
    const asked = kube.reviews.length;
    expect(await classifyFailure(refusedPatch(), kube, { reviewPausesMs: [1, 1] })).toMatchObject({ code: 'forbidden', message: expect.stringContaining('failed too') });
    // A refused review is asked again after each pause (the authorizer may be seconds from warm), then the denial stands.
    expect(kube.reviews.length - asked).toBe(3);
    // Refused once, then answered allowed: the cold window closed while the runner asked.
    let refusals = 1;
    kube.accessReview = () => {
      if (refusals-- > 0) throw new KubeApiError(403, 'Forbidden', 'access review: HTTP 403 Forbidden');
      return { allowed: true, reason: '' };
    };
    expect(await classifyFailure(refusedPatch(), kube, { reviewPausesMs: [1] })).toMatchObject({ code: 'api_authorizer_cold' });
    kube.accessReview = () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    };
    expect(await classifyFailure(refusedPatch(), kube)).toMatchObject({ code: 'api_unreachable' });
    // A 403 that is not the authorizer's asks nothing and stays forbidden.
    const before = kube.reviews.length;
    expect(await classifyFailure(new KubeApiError(403, 'Forbidden', 'admission denied'), kube)).toMatchObject({ code: 'forbidden' });
    expect(kube.reviews.length).toBe(before);
  });

  it('cold authorizer: the action fails with a transient code (the remediate activity retries those while attempts are left)', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    kube.authorizerRefuses.add('Pod');
    kube.accessReview = () => ({ allowed: true, reason: '' });
    expect((await runActions([quarantine], SUBJECT, 'incident-1', deps(kube)))[0]).toMatchObject({ status: 'failed', code: 'api_authorizer_cold' });
    expect(kube.reviews[0]).toEqual({ verb: 'patch', group: '', resource: 'pods', namespace: 'shop', name: SUBJECT.pod });
    // The remediate activity throws retryably for any transient code while attempts are left (unreachable-api.test.ts covers that path).
    expect(TRANSIENT_FAILURE_CODES.has('api_authorizer_cold')).toBe(true);
    // Nothing was written.
    expect(kube.writes.filter((w) => !w.dryRun)).toEqual([]);
  });

  it('cold authorizer on a revert: retried while attempts are left; then the cache warms and the revert succeeds', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const applied = await runActions([quarantine], SUBJECT, 'incident-1', deps(kube));
    expect(applied[0]?.status).toBe('executed');
    kube.authorizerRefuses.add('Pod');
    kube.accessReview = () => ({ allowed: true, reason: '' });
    const { revert } = createRemediationActivities(deps(kube));
    const thrown = await new MockActivityEnvironment({ attempt: 1 }).run(revert, revertRequest(applied)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: 'KubeApiAuthorizerCold', nonRetryable: false });
    // The label is still there: nothing was reverted by the refused attempt.
    expect(kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: SUBJECT.pod })?.metadata.labels).toMatchObject({ 'vigil.dev/quarantine': 'true' });
    kube.authorizerRefuses.clear();
    const reply = (await new MockActivityEnvironment({ attempt: 2 }).run(revert, revertRequest(applied))) as AgentMessage<Array<{ outcome: string }>>;
    expect(reply.parts[0].data.map((r) => r.outcome)).toEqual(['reverted']);
  });

  it('a real denial is final at once: recorded forbidden on the first attempt, no retry', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const applied = await runActions([quarantine], SUBJECT, 'incident-1', deps(kube));
    kube.authorizerRefuses.add('Pod');
    kube.accessReview = () => ({ allowed: false, reason: '' });
    expect((await runActions([quarantine], SUBJECT, 'incident-2', deps(kube)))[0]).toMatchObject({ status: 'failed', code: 'forbidden' });
    const { revert } = createRemediationActivities(deps(kube));
    const reply = (await new MockActivityEnvironment({ attempt: 1 }).run(revert, revertRequest(applied))) as AgentMessage<Array<{ outcome: string; message: string }>>;
    expect(reply.parts[0].data).toEqual([expect.objectContaining({ outcome: 'failed', message: expect.stringContaining('forbidden') })]);
    expect(lastAttempt).toBeGreaterThan(1);
  });
});
