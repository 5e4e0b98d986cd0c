import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { auditFromHistory } from '../../cli/audit';
import { TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Every timer the workflow started, with the duration the server was asked for and whether it fired. */
function escalationTimers(events: HistoryEvent[]): Array<{ seconds: number; fired: boolean }> {
  const fired = new Set(events.map((e) => e.timerFiredEventAttributes?.timerId).filter(Boolean));
  return events
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => {
      const a = e.timerStartedEventAttributes!;
      const d = a.startToFireTimeout;
      return { seconds: Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9, fired: fired.has(a.timerId) };
    });
}

/** Escalation deadlines, their outcome and whether to page again come from policy data per severity; checked on Temporal's time-skipping test server. */
describe('incident workflow on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  const notices: string[] = [];
  const notifier = recordingNotifier(notices);

  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => {
    notices.length = 0;
  });

  it('applies the policy outcome when nobody decides before the deadline (critical: 15 min, auto_reject)', async () => {
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')));
    const workflowId = incidentIdFor(anomaly.correlationKey);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const outcome = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result(); // time skips through the 900 s wait
      return { result, state: await handle.query(stateQuery), history: await handle.fetchHistory() };
    });
    expect(outcome.result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate', decidedBy: null, actionResults: [] });
    expect(outcome.state.decisions).toEqual([expect.objectContaining({ via: 'timeout', accepted: true, decision: null })]);
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:escalation_expired`, `${workflowId}:resolution`]);
    // The durable timer itself, as the server recorded it: started for exactly the policy's 900 s, and fired.
    expect(escalationTimers(outcome.history.events ?? [])).toEqual([{ seconds: 900, fired: true }]);
  });

  it('low severity: waits 24 h, rejects, does not page again, and records the expiry with its policy reason in history', async () => {
    // A low-severity shell on the control plane: escalated to a senior, nobody answers.
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.ns.name'] === 'kube-system')));
    const workflowId = incidentIdFor(anomaly.correlationKey);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const { result, state, history } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery), history: await handle.fetchHistory() };
    });
    expect(result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate', actionResults: [] });
    expect(state.verdict?.escalation).toEqual({ timeoutSeconds: 86400, onTimeout: 'auto_reject', repage: false, requiredRole: 'senior' });
    expect(escalationTimers(history.events ?? [])).toEqual([{ seconds: 86_400, fired: true }]);
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:resolution`]);

    const trail = auditFromHistory(workflowId, history.events ?? [], env.client.options.loadedDataConverter.payloadConverter);
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'decision', 'resolution']);
    expect(trail.entries[1]).toMatchObject({ via: 'timeout', accepted: true, policyVersion: state.verdict?.policyVersion, reasons: [{ code: 'escalation_timeout' }] });
  });
});
