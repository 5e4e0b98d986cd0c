import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRemediationActivities } from '../../../activities/remediation';
import { revertActions, runActions } from '../../../activities/remediation/runner';
import type { AgentMessage, RevertResult } from '../../../contracts';
import { FakeKube, seedWorkload, SUBJECT } from '../../helpers/fake-kube-api';
import { lastAttempt, quarantine, revertRequest, runnerDeps as deps } from '../../helpers/remediation-fixtures';

/**
 * An API server that cannot be reached (stopped, restarting) is a fault to wait out, not a verdict
 * on the containment: while the activity has attempts left it fails retryably; the last attempt
 * records the failure, which pages (bench/faults.ts, kube-api-down, found this marked failed at once).
 */
const refusedConnections = (kube: FakeKube) => {
  kube.beforeWrite = () => {
    throw new Error('request to https://127.0.0.1:6443/api/v1/namespaces/shop/pods/web-5d9c-abcde failed, reason: connect ECONNREFUSED 127.0.0.1:6443');
  };
};

describe('remediation with an unreachable API server', () => {
  it('classifies a refused connection as api_unreachable and a 503 as api_unavailable (both transient)', async () => {
    const down = new FakeKube();
    seedWorkload(down);
    refusedConnections(down);
    expect((await runActions([quarantine], SUBJECT, 'incident-1', deps(down)))[0]).toMatchObject({ status: 'failed', code: 'api_unreachable' });
    const busy = new FakeKube();
    seedWorkload(busy);
    busy.refuse.set('Pod', 503);
    expect((await runActions([quarantine], SUBJECT, 'incident-1', deps(busy)))[0]).toMatchObject({ status: 'failed', code: 'api_unavailable' });
  });

  it('a revert fails retryably while attempts are left, and records the failure on the last attempt', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const applied = await runActions([quarantine], SUBJECT, 'incident-1', deps(kube));
    expect(applied[0]?.status).toBe('executed');
    refusedConnections(kube);
    const { revert } = createRemediationActivities(deps(kube));

    const early = new MockActivityEnvironment({ attempt: 1 });
    const thrown = await early.run(revert, revertRequest(applied)).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ type: 'KubeApiUnreachable', nonRetryable: false });

    const last = new MockActivityEnvironment({ attempt: lastAttempt });
    const reply = (await last.run(revert, revertRequest(applied))) as AgentMessage<RevertResult[]>;
    expect(reply.parts[0].data).toEqual([expect.objectContaining({ actionId: 'quarantine', outcome: 'failed', message: expect.stringContaining('api_unreachable') })]);
    // Nothing was reverted behind the record's back: the label is still on the pod.
    expect(kube.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'shop', name: SUBJECT.pod })?.metadata.labels).toMatchObject({ 'vigil.dev/quarantine': 'true' });
  });

  it('revertActions without the option records an unreachable server as a failed revert (the A2A path, no retry there)', async () => {
    const kube = new FakeKube();
    seedWorkload(kube);
    const applied = await runActions([quarantine], SUBJECT, 'incident-1', deps(kube));
    refusedConnections(kube);
    expect((await revertActions(applied, deps(kube)))[0]).toMatchObject({ outcome: 'failed' });
  });
});
