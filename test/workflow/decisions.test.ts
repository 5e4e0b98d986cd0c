import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { FalcoAlert, IncidentOutcome, IncidentState } from '../../contracts';
import { TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../lib/trust/decision-keys';
import { analystDecisionSignal, decideUpdate, stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import type { TestAnalysts } from '../helpers/analysts';
import { testAnalysts } from '../helpers/analysts';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

/** Signed decisions, the two-person rule, the decision lifecycle and fail-loud, on Temporal's time-skipping test server. */
describe('analyst decisions on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let analysts: TestAnalysts;
  const notices: string[] = [];

  beforeAll(async () => {
    env = await timeSkippingEnv();
    analysts = await testAnalysts();
  });
  afterAll(async () => {
    await env?.teardown();
    analysts?.remove();
  });
  beforeEach(() => {
    notices.length = 0;
  });

  const issuers = () => trustedIssuers(decisionTrustConfigFromEnv(analysts.env));
  const criticalShell = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'));
  /** A critical shell in a customer-facing workload: isolating it needs two distinct seniors. */
  const checkoutShell = (): FalcoAlert => {
    const a = criticalShell();
    return { ...a, output_fields: { ...a.output_fields, 'k8s.ns.name': 'shop', 'k8s.pod.name': 'checkout-5d8f9c7b6-x2x9q' } };
  };
  const start = async (alert: FalcoAlert) => {
    const anomaly = anomalyOf(alert);
    return env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId: incidentIdFor(anomaly), args: [anomaly] });
  };
  const waitFor = async (handle: WorkflowHandle, pred: (s: IncidentState) => boolean): Promise<IncidentState> => {
    for (let i = 0; i < 400; i++) {
      const s = await handle.query(stateQuery);
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${handle.workflowId}: condition never held`);
  };
  const decide = async (handle: WorkflowHandle, payload: unknown) => {
    try {
      return { ok: true as const, result: await handle.executeUpdate(decideUpdate, { args: [payload] }) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { ok: false as const, reason: (err.cause as Error | undefined)?.message ?? err.message };
      throw err;
    }
  };

  it('two-person rule: executes only after the second distinct senior approves; the same analyst and a replayed token count nothing', async () => {
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(notices), issuers: issuers() });
    const { outcome, states } = await withWorkers(workers, async () => {
      const handle = await start(checkoutShell());
      await waitFor(handle, (s) => s.status === 'awaiting_decision');
      const aliceToken = await analysts.decision(handle, 'alice', 'approve', 'confirmed');
      const first = await decide(handle, aliceToken);
      const afterFirst = await handle.query(stateQuery);
      const again = await decide(handle, await analysts.decision(handle, 'alice', 'approve', 'me again'));
      const replay = await decide(handle, aliceToken);
      const junior = await decide(handle, await analysts.decision(handle, 'carol', 'approve'));
      const second = await decide(handle, await analysts.decision(handle, 'erin', 'approve', 'agreed'));
      return { outcome: (await handle.result()) as IncidentOutcome, states: { afterFirst, final: await handle.query(stateQuery), first, again, replay, junior, second } };
    });
    expect(states.first).toEqual({ ok: true, result: expect.objectContaining({ analyst: 'alice', progress: '1 of 2 approvals (alice)', settled: false }) });
    expect(states.afterFirst).toMatchObject({ status: 'awaiting_decision', quorum: { approvalsNeeded: 2, approvedBy: ['alice'] } });
    expect(states.again).toEqual({ ok: false, reason: 'alice already approved: the same analyst counts once' });
    expect(states.replay).toEqual({ ok: false, reason: expect.stringContaining('replayed') });
    expect(states.junior).toEqual({ ok: false, reason: expect.stringContaining('lacks the senior role') });
    expect(states.second).toEqual({ ok: true, result: expect.objectContaining({ analyst: 'erin', progress: '2 of 2 approvals (alice, erin)', settled: true }) });
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice, erin' });
    expect(outcome.actionResults.map((r) => r.actionner)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy']);
    expect(states.final.decisions.map((d) => [d.accepted, d.decision?.analyst ?? null])).toEqual([
      [true, 'alice'],
      [false, 'alice'],
      [false, 'alice'],
      [false, 'carol'],
      [true, 'erin'],
    ]);
  });

  it('a single reject ends a two-approval wait', async () => {
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(notices), issuers: issuers() });
    const outcome = await withWorkers(workers, async () => {
      const handle = await start(checkoutShell());
      await waitFor(handle, (s) => s.status === 'awaiting_decision');
      expect(await decide(handle, await analysts.decision(handle, 'alice', 'approve'))).toMatchObject({ ok: true });
      expect(await decide(handle, await analysts.decision(handle, 'erin', 'reject', 'false positive'))).toMatchObject({ ok: true, result: { settled: true } });
      return (await handle.result()) as IncidentOutcome;
    });
    expect(outcome).toMatchObject({ resolution: 'rejected', decidedBy: 'erin', actionResults: [] });
  });

  it('leaves awaiting_decision the moment the deadline passes, before the expiry notice, and refuses decisions from then on', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let expiring = false;
    const notifier = {
      name: 'held',
      send: async (n: { incidentId: string; kind: string }) => {
        notices.push(`${n.incidentId}:${n.kind}`);
        if (n.kind === 'escalation_expired') {
          expiring = true;
          await held;
        }
        return { channel: 'held', delivered: true, detail: '' };
      },
    };
    const workers = await inProcessAgents(env.nativeConnection, { notifier, issuers: issuers() });
    const { during, late, outcome } = await withWorkers(workers, async () => {
      const handle = await start(criticalShell());
      await waitFor(handle, (s) => s.status === 'awaiting_decision');
      const token = await analysts.decision(handle, 'alice', 'approve', 'too late');
      const result = handle.result(); // time skips through the 900 s wait
      while (!expiring) await new Promise((r) => setTimeout(r, 50));
      const during = await handle.query(stateQuery);
      await handle.signal(analystDecisionSignal, token);
      const late = await waitFor(handle, (s) => s.decisions.some((d) => d.via === 'signal'));
      release();
      return { during, late, outcome: (await result) as IncidentOutcome };
    });
    expect(during.status).not.toBe('awaiting_decision');
    expect(late.decisions.find((d) => d.via === 'signal')).toMatchObject({ accepted: false, refusal: expect.stringMatching(/not awaiting a decision|deadline/) });
    expect(outcome).toMatchObject({ resolution: 'expired_rejected', decidedBy: null, actionResults: [] });
  });

  it('fail loud: a review agent that raises escalates with nothing to run, records the failure and pages', async () => {
    const workers = await inProcessAgents(env.nativeConnection, {
      notifier: recordingNotifier(notices),
      issuers: issuers(),
      activities: { review: (real) => ({ ...real, review: async () => Promise.reject(new Error('policy bundle is broken')) }) },
    });
    const { outcome, state } = await withWorkers(workers, async () => {
      const handle = await start(evidentAlert());
      const result = (await handle.result()) as IncidentOutcome; // nobody answers: expires
      return { outcome: result, state: await handle.query(stateQuery) };
    });
    expect(state.verdict).toMatchObject({ outcome: 'escalate', allowedActions: [], reasons: [{ code: 'review_failed' }] });
    expect(outcome).toMatchObject({ resolution: 'expired_rejected', actionResults: [], failures: [expect.objectContaining({ step: 'review', message: expect.stringContaining('policy bundle is broken') })] });
    expect(notices.map((n) => n.split(':')[1])).toEqual(['escalation', 'escalation_expired', 'resolution']);
  });

  it('fail loud: an analysis agent that raises falls back to the deterministic analyser and escalates what would have auto-executed', async () => {
    const workers = await inProcessAgents(env.nativeConnection, {
      notifier: recordingNotifier(notices),
      issuers: issuers(),
      activities: {
        analysis: (real) => ({
          ...real,
          analyse: async (message: { parts: Array<{ data: { deterministic?: boolean } }> }) =>
            message.parts[0]?.data.deterministic ? (real.analyse as (m: unknown) => Promise<unknown>)(message) : Promise.reject(new Error('LLM gateway exploded')),
        }),
      },
    });
    const { outcome, state } = await withWorkers(workers, async () => {
      const handle = await start(evidentAlert());
      // Time skips only while something awaits a result: skip through the failing attempts' backoff.
      await env.sleep('3 minutes');
      await waitFor(handle, (s) => s.status === 'awaiting_decision');
      expect(await decide(handle, await analysts.decision(handle, 'alice', 'approve', 'checked by hand'))).toMatchObject({ ok: true });
      return { outcome: (await handle.result()) as IncidentOutcome, state: await handle.query(stateQuery) };
    });
    expect(state.analysis?.analyser).toMatchObject({ kind: 'deterministic', fallback: true });
    expect(state.verdict?.outcome).toBe('auto_execute');
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice', failures: [expect.objectContaining({ step: 'analysis' })] });
    expect(notices.map((n) => n.split(':')[1])).toEqual(['escalation', 'resolution']);
  });

  it('fail loud: a notification that keeps failing is retried, then recorded in the outcome', async () => {
    let attempts = 0;
    const notifier = {
      name: 'down',
      send: async () => {
        attempts += 1;
        throw new Error('webhook answered 503');
      },
    };
    const workers = await inProcessAgents(env.nativeConnection, { notifier, issuers: issuers() });
    const outcome = await withWorkers(workers, async () => {
      const handle = await start(evidentAlert());
      return (await handle.result()) as IncidentOutcome;
    });
    expect(outcome).toMatchObject({ resolution: 'executed', undelivered: ['resolution'] });
    expect(attempts).toBeGreaterThan(1);
  });
});
