import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { AnalysisActivities } from '../activities/analysis';
import type { Notice, NotificationActivities } from '../activities/notification';
import type { RemediationActivities } from '../activities/remediation';
import type { ReviewActivities } from '../activities/review';
import type { AgentMessage, AnalystDecision, Anomaly, DecisionRecord, IncidentOutcome, IncidentState, Resolution, Verdict } from '../contracts';
import { A2A_ROLES, agentMessage, AnalystDecisionSchema, assetLabel, assetOf, FAILURE_TYPES, SA, severityFromPriority, TASK_QUEUES } from '../contracts';
import { DECISION_MEMO_KEY, DECISION_MEMO_PATCH } from '../contracts/decision';
import { alertJoinedSignal, alertsQuery, analystDecisionSignal, decideUpdate, stateQuery } from './definitions';
import type { DecideResult } from './definitions';

/** Alerts an incident remembers to recognise redelivery; a burst past this is still counted. */
const MAX_TRACKED_ALERTS = 2000;

const NON_RETRYABLE = [FAILURE_TYPES.invalidInput, FAILURE_TYPES.policyDenied, FAILURE_TYPES.unknownActionner];

/** Per-agent budgets: analysis may call an LLM; review is in-process wasm; notification chases flaky webhooks. */
const OPTIONS = {
  analysis: {
    taskQueue: TASK_QUEUES.analysis,
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  },
  review: {
    taskQueue: TASK_QUEUES.review,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  },
  remediation: {
    taskQueue: TASK_QUEUES.remediation,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE },
  },
  notification: {
    taskQueue: TASK_QUEUES.notification,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE },
  },
} satisfies Record<string, ActivityOptions>;

const analysisAgent = proxyActivities<AnalysisActivities>(OPTIONS.analysis);
const reviewAgent = proxyActivities<ReviewActivities>(OPTIONS.review);
const remediationAgent = proxyActivities<RemediationActivities>(OPTIONS.remediation);
const notificationAgent = proxyActivities<NotificationActivities>(OPTIONS.notification);

function describeIssues(err: unknown): string {
  const issues = (err as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
  return issues ? issues.map((i) => `${i.path.map(String).join('.') || 'decision'}: ${i.message}`).join('; ') : String(err);
}

/**
 * One security incident: analysis → review → (escalation and a durable wait for an analyst)
 * → remediation → notification. Every agent is an activity on its own task queue.
 */
export async function incidentWorkflow(anomaly: Anomaly): Promise<IncidentOutcome> {
  const { workflowId: incidentId } = workflowInfo();
  const asset = assetOf(anomaly.alert);
  const state: IncidentState = {
    incidentId,
    traceId: anomaly.traceId,
    status: 'analysing',
    resolution: null,
    anomaly,
    joinedAlerts: 0,
    asset,
    assetLabel: assetLabel(asset),
    severity: severityFromPriority(anomaly.alert.priority),
    analysis: null,
    verdict: null,
    escalationDeadline: null,
    decisions: [],
    actionResults: [],
    notifications: [],
    startedAt: new Date().toISOString(),
  };
  let accepted: AnalystDecision | null = null;

  /** Wraps a body as the coordinator's A2A message to an agent; ids come from the workflow's deterministic uuid4. */
  const ask = <T>(skill: string, data: T): AgentMessage<T> =>
    agentMessage({ messageId: uuid4(), contextId: incidentId, role: A2A_ROLES.user, traceId: state.traceId, skill, from: 'coordinator', data });

  const show = (status: IncidentState['status'], details: string) => {
    state.status = status;
    upsertSearchAttributes([{ key: SA.status, value: status }]);
    setCurrentDetails(`**${status}** — ${details}`);
  };

  /** Keeps a decision in the state and, as a memo upsert, in the history that `vigil audit` reads. */
  const record = (r: DecisionRecord) => {
    state.decisions.push(r);
    if (patched(DECISION_MEMO_PATCH)) upsertMemo({ [DECISION_MEMO_KEY]: { ...r, raw: undefined } });
  };

  type PolicyFacts = Pick<DecisionRecord, 'policyVersion' | 'reasons' | 'inputDigest' | 'requiredRoles'>;
  const refuse = (raw: unknown, via: DecisionRecord['via'], refusal: string, decision: AnalystDecision | null = null, policy: PolicyFacts = { policyVersion: null }) => {
    record({ accepted: false, decision, raw, refusal, via, at: new Date().toISOString(), ...policy });
    log.warn('analyst decision refused', { incidentId, via, refusal });
  };

  /** Shape and state checks shared by the signal and the update validator. */
  const precheck = (raw: unknown): { ok: true; decision: AnalystDecision } | { ok: false; reason: string } => {
    const parsed = AnalystDecisionSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `malformed decision: ${describeIssues(parsed.error)}` };
    if (state.status !== 'awaiting_decision') return { ok: false, reason: `incident is ${state.status}, not awaiting a decision` };
    if (accepted) return { ok: false, reason: `already decided by ${accepted.analyst}` };
    return { ok: true, decision: parsed.data };
  };

  /** Asks the review agent whether this analyst may make this decision; records the outcome either way. */
  const decide = async (raw: unknown, via: 'signal' | 'update'): Promise<{ ok: boolean; reason: string }> => {
    const pre = precheck(raw);
    if (!pre.ok) {
      refuse(raw, via, pre.reason);
      return { ok: false, reason: pre.reason };
    }
    const escalation = state.verdict?.escalation;
    const authority = await reviewAgent.authorizeDecision.executeWithOptions(
      { ...OPTIONS.review, summary: `may ${pre.decision.analyst} ${pre.decision.decision}?` },
      [ask('authorize-decision', { decision: pre.decision, requiredRole: escalation?.requiredRole ?? 'senior', asset, severity: state.severity })],
    );
    const verdict = authority.parts[0].data;
    const policy: PolicyFacts = { policyVersion: verdict.policyVersion, reasons: verdict.reasons, inputDigest: verdict.inputDigest, requiredRoles: verdict.requiredRoles };
    const again = precheck(raw); // the state may have moved on while policy was consulted
    if (!verdict.allowed || !again.ok) {
      const reason = !verdict.allowed ? `not authorized: ${verdict.reasons.map((r) => r.message).join('; ')}` : (again as { reason: string }).reason;
      refuse(raw, via, reason, pre.decision, policy);
      return { ok: false, reason };
    }
    accepted = pre.decision;
    record({ accepted: true, decision: pre.decision, raw, refusal: null, via, at: new Date().toISOString(), ...policy });
    log.info('analyst decision accepted', { incidentId, analyst: pre.decision.analyst, decision: pre.decision.decision, policyVersion: verdict.policyVersion });
    return { ok: true, reason: '' };
  };

  setHandler(stateQuery, () => state);
  // signalWithStart hands the first alert to the new run as a signal too, and Kafka may redeliver
  // any alert: both are recognised by fingerprint, so each distinct alert counts once (within a bound).
  const alertId = (a: Partial<Anomaly> | undefined) => (typeof a?.fingerprint === 'string' ? a.fingerprint : typeof a?.traceId === 'string' ? a.traceId : null);
  const alertIds = new Set<string>([alertId(anomaly) ?? incidentId]);
  let untracked = 0;
  setHandler(alertJoinedSignal, (joined: Anomaly) => {
    const id = alertId(joined);
    if (id === null) return void log.warn('alertJoined without fingerprint or trace id ignored', { incidentId });
    if (alertIds.has(id)) return;
    if (alertIds.size < MAX_TRACKED_ALERTS) alertIds.add(id);
    else untracked += 1;
    state.joinedAlerts += 1;
  });
  setHandler(alertsQuery, () => ({ alertIds: [...alertIds], joinedAlerts: state.joinedAlerts, untracked }));
  setHandler(analystDecisionSignal, async (raw: unknown) => {
    await decide(raw, 'signal');
  });
  setHandler(
    decideUpdate,
    async (raw: unknown): Promise<DecideResult> => {
      const result = await decide(raw, 'update');
      if (!result.ok) throw ApplicationFailure.create({ type: FAILURE_TYPES.policyDenied, message: result.reason, nonRetryable: true });
      const d = accepted as AnalystDecision;
      return { accepted: true, decision: d.decision, analyst: d.analyst };
    },
    {
      validator: (raw: unknown) => {
        const pre = precheck(raw);
        if (!pre.ok) throw new Error(pre.reason);
      },
    },
  );

  upsertSearchAttributes([
    { key: SA.severity, value: state.severity },
    { key: SA.asset, value: state.assetLabel },
    { key: SA.traceId, value: state.traceId },
    { key: SA.anomalyScore, value: anomaly.score },
  ]);
  show('analysing', `${anomaly.alert.rule} on ${state.assetLabel}`);

  const analysisReply = await analysisAgent.analyse.executeWithOptions(
    { ...OPTIONS.analysis, summary: `analyse "${anomaly.alert.rule}" on ${state.assetLabel}` },
    [ask('analyse', { anomaly })],
  );
  const analysis = analysisReply.parts[0].data;
  state.analysis = analysis;
  state.severity = analysis.severity;
  upsertSearchAttributes([{ key: SA.severity, value: analysis.severity }]);

  show('reviewing', analysis.summary);
  const reviewReply = await reviewAgent.review.executeWithOptions(
    { ...OPTIONS.review, summary: `policy review of ${analysis.actions.length} proposed action(s)` },
    [ask('review', { anomaly, analysis, asset })],
  );
  const verdict: Verdict = reviewReply.parts[0].data;
  state.verdict = verdict;
  upsertSearchAttributes([{ key: SA.verdict, value: verdict.outcome }]);

  const notice = (kind: Notice['kind']): Notice => ({
    kind,
    incidentId,
    traceId: state.traceId,
    severity: state.severity,
    asset: state.assetLabel,
    rule: anomaly.alert.rule,
    summary: analysis.summary,
    verdict: verdict.outcome,
    reasons: verdict.reasons,
    proposedActions: verdict.allowedActions,
    resolution: state.resolution,
    decidedBy: accepted?.analyst ?? null,
    actionResults: state.actionResults,
    escalationDeadline: state.escalationDeadline,
    requiredRole: verdict.escalation?.requiredRole ?? null,
  });

  /** A notification that cannot be delivered is recorded, not fatal: the response already happened. */
  const tell = async (kind: Notice['kind'], summary: string) => {
    try {
      const reply = await notificationAgent.notify.executeWithOptions({ ...OPTIONS.notification, summary }, [ask('notify', notice(kind))]);
      const d = reply.parts[0].data;
      state.notifications.push({ kind, channel: d.channel, delivered: d.delivered, at: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      state.notifications.push({ kind, channel: 'unknown', delivered: false, at: new Date().toISOString() });
      log.error('notification failed', { incidentId, kind, error: err.message });
    }
  };

  let execute = verdict.outcome === 'auto_execute';
  let resolution: Resolution = execute ? 'executed' : 'rejected';

  if (verdict.outcome === 'escalate') {
    const escalation = verdict.escalation ?? { timeoutSeconds: 3600, onTimeout: 'auto_reject' as const, requiredRole: 'senior' };
    const timeoutMs = escalation.timeoutSeconds * 1000;
    state.escalationDeadline = new Date(Date.now() + timeoutMs).toISOString();
    show('awaiting_decision', `needs a \`${escalation.requiredRole}\` decision by ${state.escalationDeadline}: ${verdict.reasons.map((r) => r.message).join('; ')}`);
    await tell('escalation', `escalate to a ${escalation.requiredRole} analyst`);
    const decided = await condition(() => accepted !== null, timeoutMs);
    if (decided && accepted) {
      const d: AnalystDecision = accepted;
      execute = d.decision === 'approve';
      resolution = execute ? 'executed' : 'rejected';
    } else {
      execute = escalation.onTimeout === 'auto_execute';
      resolution = execute ? 'expired_executed' : 'expired_rejected';
      record({
        accepted: true,
        decision: null,
        raw: null,
        refusal: null,
        via: 'timeout',
        at: new Date().toISOString(),
        policyVersion: verdict.policyVersion,
        reasons: [{ code: 'escalation_timeout', message: `no decision within ${escalation.timeoutSeconds} s; the policy's outcome is ${escalation.onTimeout}` }],
        requiredRoles: [escalation.requiredRole],
      });
      state.resolution = resolution;
      // Older verdicts carry no `repage`: they always paged again, and replay must too.
      if (escalation.repage !== false) await tell('escalation_expired', `escalation expired: ${escalation.onTimeout}`);
    }
  }

  if (execute && verdict.allowedActions.length > 0) {
    show('remediating', `${verdict.allowedActions.map((a) => a.actionner).join(', ')} on ${state.assetLabel}`);
    const reply = await remediationAgent.remediate.executeWithOptions(
      { ...OPTIONS.remediation, summary: `run ${verdict.allowedActions.map((a) => a.actionner).join(', ')}` },
      [ask('remediate', { actions: verdict.allowedActions, verdict, asset })],
    );
    state.actionResults = reply.parts[0].data;
  }

  state.resolution = resolution;
  show('notifying', `resolution ${resolution}`);
  await tell('resolution', `report ${resolution}`);

  show('closed', `${resolution}${accepted ? ` by ${(accepted as AnalystDecision).analyst}` : ''}; ${state.actionResults.map((r) => `${r.actionner}=${r.status}`).join(', ') || 'no actions run'}`);
  // Late decisions may still be in flight; let them finish so their refusals land in history.
  await condition(allHandlersFinished);
  return {
    incidentId,
    traceId: state.traceId,
    resolution,
    verdict: verdict.outcome,
    decidedBy: accepted ? (accepted as AnalystDecision).analyst : null,
    actionResults: state.actionResults,
  };
}
