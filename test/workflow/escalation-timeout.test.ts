import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

/** Workflow behaviour over long waits, on Temporal's time-skipping test server. */
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

  it('applies the policy outcome when nobody decides before the deadline (critical: 15 min, auto_reject)', async () => {
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')));
    const workflowId = incidentIdFor(anomaly.correlationKey);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const outcome = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result(); // time skips through the 900 s wait
      return { result, state: await handle.query(stateQuery) };
    });
    expect(outcome.result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate', decidedBy: null, actionResults: [] });
    expect(outcome.state.decisions).toEqual([expect.objectContaining({ via: 'timeout', accepted: true, decision: null })]);
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:escalation_expired`, `${workflowId}:resolution`]);
    const waited = Date.parse(outcome.state.escalationDeadline ?? '') - Date.parse(outcome.state.startedAt);
    expect(waited).toBeGreaterThanOrEqual(900_000);
  });
});
