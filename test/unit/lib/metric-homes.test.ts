import { register, Registry } from 'prom-client';
import { analysisSkill, deterministicAnalyser } from '../../../activities/analysis';
import { analysisMetrics } from '../../../activities/analysis/metrics';
import { notificationSkill } from '../../../activities/notification';
import { notificationMetrics } from '../../../activities/notification/metrics';
import type { Notice } from '../../../activities/notification/notice';
import { remediationSkill } from '../../../activities/remediation';
import { remediationMetrics } from '../../../activities/remediation/metrics';
import { defaultRegistry } from '../../../activities/remediation/registry';
import { reviewMetrics, verdictsByOutcome } from '../../../activities/review/metrics';
import { A2A_ROLES, agentMessage, AGENTS } from '../../../contracts';
import { runSkill } from '../../../lib/agent-core';
import { createLogger } from '../../../lib/logger';
import { coordinatorMetrics } from '../../../workers/coordinator/metrics';
import { incidentObserverSinks } from '../../../workers/coordinator/observer-sinks';
import { freshKeys } from '../../helpers/trust';

/**
 * Each family is declared next to the code that moves it (activities/<agent>/metrics.ts,
 * workers/coordinator/metrics.ts, the runtime's in lib/agent-core.ts), and a process exports only
 * what it moves: loading every agent's code obtains nothing, one skill run obtains its agent's
 * families and the runtime's. A jest file has its own prom-client, so the global registry starts empty here.
 */
const log = createLogger('test', 'silent');
const vigilFamilies = () => register.getMetricsAsArray().map((m) => m.name).filter((n) => n.startsWith('vigil_')).sort();

const notice: Notice = {
  kind: 'resolution',
  incidentId: 'incident-1',
  traceId: 'a'.repeat(32),
  severity: 'low',
  asset: 'shop/web',
  rule: 'Terminal shell in container',
  summary: 's',
  verdict: 'auto_execute',
  reasons: [],
  proposedActions: [],
  resolution: 'executed',
  decidedBy: null,
  actionResults: [],
  escalationDeadline: null,
  requiredRole: null,
  approvals: null,
  failures: [],
  followUpOf: null,
  chainAlerts: 1,
};

describe('where each metric lives', () => {
  it("loading the agents and the coordinator sinks exports nothing; a notification skill run exports its own family and the runtime's only", async () => {
    analysisSkill(deterministicAnalyser);
    remediationSkill({ registry: defaultRegistry(), dryRun: true, log, verdicts: freshKeys('verdict').verifier });
    incidentObserverSinks(log);
    const notify = notificationSkill({ name: 'test', send: async () => ({ channel: 'test', delivered: true, detail: '' }) });
    expect(vigilFamilies()).toEqual([]);

    const message = agentMessage({ messageId: 'm-1', contextId: 'incident-1', role: A2A_ROLES.user, traceId: notice.traceId, skill: AGENTS.notification.skills.notify.skill, from: 'coordinator', data: notice });
    await runSkill(notify, message, log);
    // The least-agency pair is lib/metrics-compliance.ts's, marked by every skill run.
    expect(vigilFamilies()).toEqual([
      'vigil_agent_activities_total',
      'vigil_agent_activity_duration_seconds',
      'vigil_agent_capability_used',
      'vigil_least_agency_ratio',
      'vigil_notifications_total',
    ]);
  });

  it('every operational declaration fits on one registry: no two homes declare the same name', () => {
    const registry = new Registry();
    const declarations = [analysisMetrics, remediationMetrics, notificationMetrics, coordinatorMetrics].flatMap((home) => Object.values(home));
    // Registering throws on a name already there.
    for (const declared of [...declarations, verdictsByOutcome]) declared(registry);
    const review = reviewMetrics(registry);
    expect(registry.getMetricsAsArray()).toHaveLength(declarations.length + 1 + Object.keys(review).length);
  });
});
