import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { readAudit } from '../../cli/audit';
import type { JoinedAlert } from '../../contracts';
import { joinedAlertOf, TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { alertJoinedSignal, alertsQuery, stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import { WAIT_HISTORY_BUDGET } from '../../workflows/incident/escalation';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

const E = temporal.api.enums.v1.EventType;

/** A long escalation under a burst of joined alerts continues as new instead of growing one history without bound. */
describe('incident workflow: continue-as-new during a long escalation', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('keeps every joined alert, the deadline and the single page across runs, and the audit follows the chain', async () => {
    const notices: string[] = [];
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')), { key: `burst-${Date.now()}` });
    const workflowId = incidentIdFor(anomaly.correlationKey);
    const burst = Math.round(WAIT_HISTORY_BUDGET * 1.5);
    const joined = (i: number): JoinedAlert => ({ ...joinedAlertOf(anomaly), id: `burst-${i}`, traceId: i.toString(16).padStart(32, '0') });
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(notices) });
    const { result, alerts, firstRun, state, trail } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const firstRunId = handle.firstExecutionRunId;
      for (;;) {
        if ((await handle.query(stateQuery)).status === 'awaiting_decision') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const latest = env.client.workflow.getHandle(workflowId);
      for (let i = 0; i < burst; i += 20) {
        await Promise.all(Array.from({ length: Math.min(20, burst - i) }, (_, k) => latest.signal(alertJoinedSignal, joined(i + k))));
      }
      // Redelivered alerts are recognised across runs too.
      await latest.signal(alertJoinedSignal, joined(0));
      const alerts = await latest.query(alertsQuery);
      const result = await latest.result(); // time skips to the policy deadline
      return {
        result,
        alerts,
        state: await latest.query(stateQuery),
        firstRun: (await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory()).events ?? [],
        trail: await readAudit(env.client, workflowId),
      };
    });
    expect(firstRun.at(-1)?.eventType).toBe(E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    expect(alerts.joinedAlerts).toBe(burst);
    expect(alerts.untracked).toBe(0);
    expect(result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate' });
    // Paged once when it escalated, once when it expired: a continued run does not page again.
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:escalation_expired`, `${workflowId}:resolution`]);
    expect(Date.parse(state.escalationDeadline ?? '') - Date.parse(state.startedAt)).toBeGreaterThanOrEqual(900_000);
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'decision', 'resolution']);
    expect(trail.status).toBe('completed');
  });
});
