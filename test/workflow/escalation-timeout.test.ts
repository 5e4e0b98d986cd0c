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

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/**
 * Every timer the workflow started, as the server recorded it: when it was set to fire (the
 * workflow's clock when it set the timer, i.e. the time of the workflow task that started it,
 * plus startToFireTimeout), how long it ran, and whether it fired.
 */
function escalationTimers(events: HistoryEvent[]): Array<{ firesAt: number; seconds: number; fired: boolean }> {
  const fired = new Set(events.map((e) => e.timerFiredEventAttributes?.timerId).filter(Boolean));
  const timers: Array<{ firesAt: number; seconds: number; fired: boolean }> = [];
  let workflowClock = 0;
  for (const e of events) {
    if (e.workflowTaskStartedEventAttributes) workflowClock = ms(e.eventTime);
    const a = e.timerStartedEventAttributes;
    if (a) timers.push({ firesAt: workflowClock + ms(a.startToFireTimeout), seconds: ms(a.startToFireTimeout) / 1000, fired: fired.has(a.timerId) });
  }
  return timers;
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
    const workflowId = incidentIdFor(anomaly);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const outcome = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result(); // time skips through the 900 s wait
      return { result, state: await handle.query(stateQuery), history: await handle.fetchHistory() };
    });
    expect(outcome.result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate', decidedBy: null, actionResults: [] });
    expect(outcome.state.decisions).toEqual([expect.objectContaining({ via: 'timeout', accepted: true, decision: null })]);
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:escalation_expired`, `${workflowId}:resolution`]);
    // The durable timer itself, as the server recorded it: set to fire at the deadline the policy's
    // 900 s gave (counted from escalation, so a little under 900 s after the notice went out), and fired.
    const [timer, ...others] = escalationTimers(outcome.history.events ?? []);
    expect(others).toEqual([]);
    expect(timer).toMatchObject({ fired: true, firesAt: Date.parse(outcome.state.escalationDeadline ?? '') });
    expect(timer!.seconds).toBeGreaterThan(890);
    expect(timer!.seconds).toBeLessThanOrEqual(900);
  });

  it('low severity: waits 24 h, rejects, does not page again, and records the expiry with its policy reason in history', async () => {
    // A low-severity shell on the control plane: escalated to a senior, nobody answers.
    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.output_fields['k8s.ns.name'] === 'kube-system')));
    const workflowId = incidentIdFor(anomaly);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const { result, state, history } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery), history: await handle.fetchHistory() };
    });
    expect(result).toMatchObject({ resolution: 'expired_rejected', verdict: 'escalate', actionResults: [] });
    expect(state.verdict?.escalation).toEqual({ timeoutSeconds: 86400, onTimeout: 'auto_reject', repage: false, requiredRole: 'senior' });
    const timers = escalationTimers(history.events ?? []);
    expect(timers).toEqual([expect.objectContaining({ fired: true, firesAt: Date.parse(state.escalationDeadline ?? '') })]);
    expect(timers[0]!.seconds).toBeGreaterThan(86_390);
    expect(notices).toEqual([`${workflowId}:escalation`, `${workflowId}:resolution`]);

    const trail = auditFromHistory(workflowId, history.events ?? [], env.client.options.loadedDataConverter.payloadConverter);
    expect(trail.entries.map((e) => e.kind)).toEqual(['verdict', 'decision', 'resolution']);
    expect(trail.entries[1]).toMatchObject({ via: 'timeout', accepted: true, policyVersion: state.verdict?.policyVersion, reasons: [{ code: 'escalation_timeout' }] });
  });
});
