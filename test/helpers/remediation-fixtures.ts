import { defaultRegistry } from '../../activities/remediation/registry';
import type { ActionResult, ProposedAction } from '../../contracts';
import { A2A_ROLES, agentMessage } from '../../contracts';
import { createLogger } from '../../lib/logger';
import { AGENT_OPTIONS } from '../../workflows/incident/options';
import type { FakeKube } from './fake-kube-api';
import { SUBJECT } from './fake-kube-api';
import { testGateVerifier } from './trust';

/** What the remediation runner's fault tests share: one quarantine label on the fake API's subject pod. */
export const quarantine: ProposedAction = {
  id: 'quarantine',
  actionner: 'kubernetes:label',
  target: { namespace: 'shop', pod: SUBJECT.pod },
  params: { labels: { 'vigil.dev/quarantine': 'true' } },
  blastRadius: { scope: 'pod', pods: 1 },
  rationale: '',
};

export const runnerDeps = (kube: FakeKube) => ({ registry: defaultRegistry(), kube, dryRun: false, log: createLogger('test', 'silent'), verdicts: testGateVerifier() });

export const revertRequest = (results: ActionResult[]) =>
  agentMessage({ messageId: 'm-1', contextId: 'incident-1', role: A2A_ROLES.user, traceId: '0'.repeat(31) + '1', skill: 'revert', from: 'coordinator', data: { results, trigger: 'ttl' as const, by: 'policy-ttl' } });

/** The remediation activity's last attempt, the one that records a failure instead of retrying. */
export const lastAttempt = AGENT_OPTIONS.remediation.retry?.maximumAttempts ?? 1;
