import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Anomaly, FalcoAlert, IncidentState } from '../../contracts';
import { joinedAlertOf, TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { alertJoinedSignal, stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

/**
 * One incident per attacked workload, judged on its chain: a joined alert that brings a new rule,
 * technique or a higher priority is analysed and reviewed again before the incident settles, so
 * a harmless first alert does not decide for what follows it.
 */
describe('incident workflow: a joined alert that escalates the chain', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const loneShell = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default' && a.output_fields['k8s.pod.name'] === 'alpine'));
  const trace = (n: number) => `${Date.now().toString(16)}${n}`.padStart(32, '0').slice(-32);
  const chainOf = (key: string, alerts: FalcoAlert[], watch?: Anomaly['watch']): Anomaly[] => alerts.map((a, i) => anomalyOf(a, { key, traceId: trace(i + 1), ...(watch ? { watch } : {}) }));

  async function waitFor(workflowId: string, done: (s: IncidentState) => boolean): Promise<IncidentState> {
    const handle = env.client.workflow.getHandle(workflowId);
    for (let i = 0; i < 600; i++) {
      const s = await handle.query(stateQuery);
      if (done(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${workflowId} never reached the expected state: ${JSON.stringify(await handle.query(stateQuery))}`);
  }

  it('re-analyses when the reverse shell joins a lone shell that alone would be auto-rejected, and acts on the chain', async () => {
    const key = `chain-a-${Date.now()}`;
    const [first, second] = chainOf(key, [loneShell(), evidentAlert()]);
    const workflowId = incidentIdFor(first!);
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier([]) });
    const { alone, chained } = await withWorkers(workers, async () => {
      // The lone shell by itself: what the incident would have decided without the chain.
      const soloKey = `${key}-solo`;
      const solo = anomalyOf(loneShell(), { key: soloKey, traceId: trace(9) });
      const alone = await env.client.workflow.execute(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId: incidentIdFor(solo), args: [solo] });
      // Start and join in one request, as the gate's signal-with-start does: the join is in the first workflow task.
      const handle = await env.client.workflow.signalWithStart(incidentWorkflow, {
        taskQueue: TASK_QUEUES.coordinator,
        workflowId,
        args: [first!],
        signal: alertJoinedSignal,
        signalArgs: [joinedAlertOf(second!, { withAnomaly: true })],
      });
      return { alone, chained: { result: await handle.result(), state: await handle.query(stateQuery) } };
    });
    expect(alone).toMatchObject({ verdict: 'auto_reject', resolution: 'rejected' });
    const { result, state } = chained;
    expect(state.reanalyses).toBe(1);
    expect(state.timeline?.map((e) => [e.rule, e.novel, e.reanalysis ?? null])).toEqual([
      ['Terminal shell in container', true, null],
      ['Redirect STDOUT/STDIN to Network Connection in Container', true, 'done'],
    ]);
    expect(state.anomaly.traceId).toBe(second!.traceId);
    expect(state.verdict?.evidence?.findings.map((f) => f.code)).toContain('chain');
    expect(result).toMatchObject({ verdict: 'auto_execute', resolution: 'executed' });
    expect(result.actionResults.length).toBeGreaterThan(0);
  });

  it('a repeat of the same rule only joins the timeline; an alert without its body is recorded, not analysed', async () => {
    const key = `chain-b-${Date.now()}`;
    const [first, repeat, novel] = chainOf(key, [loneShell(), loneShell(), evidentAlert()]);
    const workflowId = incidentIdFor(first!);
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier([]) });
    const state = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.signalWithStart(incidentWorkflow, {
        taskQueue: TASK_QUEUES.coordinator,
        workflowId,
        args: [first!],
        signal: alertJoinedSignal,
        signalArgs: [{ ...joinedAlertOf(repeat!), id: 'c'.repeat(64) }],
      });
      await handle.signal(alertJoinedSignal, joinedAlertOf(novel!)); // novel, but the gate sent no body
      await handle.result();
      return handle.query(stateQuery);
    });
    expect(state.joinedAlerts).toBe(2);
    expect(state.reanalyses ?? 0).toBe(0);
    expect(state.timeline?.map((e) => [e.novel, e.reanalysis ?? null])).toEqual([
      [true, null],
      [false, null],
      [true, 'no_alert_body'],
    ]);
    expect(state.verdict?.outcome).toBe('auto_reject');
  });

  it('an escalation waiting for an analyst is reviewed again on the chain when a new rule joins, and asks again', async () => {
    const key = `chain-c-${Date.now()}`;
    const critical = exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'));
    const quiet: FalcoAlert = { ...critical, rule: 'Read sensitive file untrusted', priority: 'Notice', tags: ['filesystem'], output: 'a file was read' };
    const [first, second] = chainOf(key, [critical, quiet]);
    const workflowId = incidentIdFor(first!);
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier([]) });
    const { before, after } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [first!] });
      const before = await waitFor(workflowId, (s) => s.status === 'awaiting_decision');
      await handle.signal(alertJoinedSignal, joinedAlertOf(second!, { withAnomaly: true }));
      const after = await waitFor(workflowId, (s) => s.reanalyses === 1 && s.status === 'awaiting_decision');
      await handle.terminate('test done');
      return { before, after };
    });
    expect(before.verdict?.outcome).toBe('escalate');
    expect(after.timeline?.at(-1)).toMatchObject({ rule: 'Read sensitive file untrusted', novel: true, reanalysis: 'done' });
    // The chain still needs a human: nothing ran on its own.
    expect(after.actionResults).toEqual([]);
    expect(after.verdict?.outcome).toBe('escalate');
    // A new verdict on the chain (both alerts weighed), hence a new decision to ask for.
    expect(after.verdict?.inputDigest).not.toBe(before.verdict?.inputDigest);
    expect(after.verdict?.evidence?.findings.map((f) => f.code)).toContain('chain');
    expect(after.escalationDeadline).not.toBeNull();
  });
  it('an incident that auto-rejected watches its workload: the reverse shell minutes later is judged in it, then it closes when the window goes quiet', async () => {
    const key = `chain-d-${Date.now()}`;
    const watch = { idleMs: 10 * 60_000, maxMs: 2 * 60 * 60_000 };
    const [first, later] = chainOf(key, [loneShell(), evidentAlert()], watch);
    const workflowId = incidentIdFor(first!);
    const sent: string[] = [];
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(sent) });
    const { watching, result, state } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [first!] });
      // Settled on the lone shell (auto-rejected, told), and still open: nobody awaits its result, so no time skips.
      const watching = await waitFor(workflowId, (s) => s.status === 'watching');
      await handle.signal(alertJoinedSignal, joinedAlertOf(later!, { withAnomaly: true }));
      // Awaiting the result lets the test server skip the quiet window after the second round.
      const result = await handle.result();
      return { watching, result, state: await handle.query(stateQuery) };
    });
    expect(watching).toMatchObject({ resolution: 'rejected', verdict: { outcome: 'auto_reject' } });
    expect(state.reanalyses).toBe(1);
    expect(state.timeline?.map((e) => [e.rule, e.reanalysis ?? null])).toEqual([
      ['Terminal shell in container', null],
      ['Redirect STDOUT/STDIN to Network Connection in Container', 'done'],
    ]);
    expect(state.verdict?.evidence?.findings.map((f) => f.code)).toContain('chain');
    expect(result).toMatchObject({ verdict: 'auto_execute', resolution: 'executed' });
    expect(result.actionResults.length).toBeGreaterThan(0);
    expect(state.status).toBe('closed');
    // One incident, one thread: a notice per round, no follow-up.
    expect(sent).toEqual([`${workflowId}:resolution`, `${workflowId}:resolution`]);
  });

  it('without a watch (no window from the gate) an incident closes as soon as it settles', async () => {
    const [solo] = chainOf(`chain-e-${Date.now()}`, [loneShell()]);
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier([]) });
    const result = await withWorkers(workers, () => env.client.workflow.execute(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId: incidentIdFor(solo!), args: [solo!] }));
    expect(result).toMatchObject({ verdict: 'auto_reject', resolution: 'rejected' });
  });
});
