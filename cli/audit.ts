import type { Client } from '@temporalio/client';
import type { PayloadConverter } from '@temporalio/common';
import { tsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Command } from 'commander';
import type { ActionResult, RevertResult, DecisionRecord, Escalation, FlaggedAction, Mutation, Reason, Resolution, Verdict } from '../contracts';
import type { IssueList } from '../contracts';
import { ActionResultSchema, RevertResultSchema, AGENTS, AnomalySchema, assetLabel, assetOf, DecisionRecordSchema, formatIssues, IncidentOutcomeSchema, VerdictSchema } from '../contracts';
import { DECISION_MEMO_KEY } from '../contracts/decision';
import { CONTAINMENT_MEMO_KEY } from '../contracts/incident';

/**
 * One incident's chain of decisions, read from its Temporal history alone (no worker needed, so it
 * works on closed incidents): what Vigil decided, under which policy version and on which input,
 * who allowed or refused what, what ran, and how it ended.
 */
export interface AuditTrail {
  incidentId: string;
  status: string;
  rule: string | null;
  asset: string | null;
  traceId: string | null;
  entries: AuditEntry[];
}

export type AuditEntry =
  | {
      kind: 'verdict';
      at: string;
      outcome: Verdict['outcome'];
      reasons: Reason[];
      policyVersion: string;
      inputDigest: string;
      allowedActions: Array<{ id: string; actionner: string; scope: string }>;
      mutations: Mutation[];
      flagged: FlaggedAction[];
      escalation: Escalation | null;
    }
  | ({ kind: 'decision'; analyst: string | null } & DecisionRecord)
  | { kind: 'remediation'; at: string; results: Array<Pick<ActionResult, 'actionId' | 'actionner' | 'status' | 'idempotencyKey' | 'message' | 'writes' | 'code' | 'artifact'>> }
  | { kind: 'containment_request'; at: string; request: string; analyst: string | null; granted: boolean; refusal: string | null; policyVersion: string | null }
  | { kind: 'revert'; at: string; trigger: string; by: string; reverts: RevertResult[] }
  | { kind: 'resolution'; at: string; resolution: Resolution; decidedBy: string | null }
  | { kind: 'unreadable'; at: string; what: string; error: string };

const E = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const issues = (err: IssueList): string => formatIssues(err);

/** The data part of an A2A-shaped agent reply, as carried by activity results. */
function replyData(value: unknown): unknown {
  return (value as { parts?: Array<{ data?: unknown }> } | null)?.parts?.[0]?.data;
}

/** Turns history events into audit entries; exported for tests that build histories by hand. */
export function auditFromHistory(incidentId: string, events: HistoryEvent[], converter: PayloadConverter): AuditTrail {
  const trail: AuditTrail = { incidentId, status: 'running', rule: null, asset: null, traceId: null, entries: [] };
  const activityTypes = new Map<string, string>();
  const activityInputs = new Map<string, unknown>();
  const first = <T = unknown>(payloads: { payloads?: unknown[] | null } | null | undefined): T | undefined => {
    const p = payloads?.payloads?.[0];
    return p ? converter.fromPayload<T>(p as never) : undefined;
  };

  for (const e of events) {
    const at = e.eventTime ? tsToDate(e.eventTime).toISOString() : '';
    const unreadable = (what: string, error: string) => trail.entries.push({ kind: 'unreadable', at, what, error });
    switch (e.eventType) {
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const anomaly = AnomalySchema.safeParse(first(e.workflowExecutionStartedEventAttributes?.input));
        if (anomaly.success) {
          trail.rule = anomaly.data.alert.rule;
          trail.asset = assetLabel(assetOf(anomaly.data.alert));
          trail.traceId = anomaly.data.traceId;
        }
        break;
      }
      case E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activityTypes.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
        activityInputs.set(String(e.eventId), replyData(first(e.activityTaskScheduledEventAttributes?.input)));
        break;
      case E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const type = activityTypes.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
        const data = replyData(first(e.activityTaskCompletedEventAttributes?.result));
        if (type === AGENTS.review.skills.review.activity) {
          const v = VerdictSchema.safeParse(data);
          if (!v.success) unreadable('verdict', issues(v.error));
          else {
            trail.entries.push({
              kind: 'verdict',
              at,
              outcome: v.data.outcome,
              reasons: v.data.reasons,
              policyVersion: v.data.policyVersion,
              inputDigest: v.data.inputDigest,
              allowedActions: v.data.allowedActions.map((a) => ({ id: a.id, actionner: a.actionner, scope: a.blastRadius.scope })),
              mutations: v.data.mutations,
              flagged: v.data.flagged,
              escalation: v.data.escalation,
            });
          }
        } else if (type === AGENTS.remediation.skills.remediate.activity) {
          const r = ActionResultSchema.array().safeParse(data);
          if (!r.success) unreadable('remediation', issues(r.error));
          else {
            const results = r.data.map(({ actionId, actionner, status, idempotencyKey, message, writes, code, artifact }) => ({ actionId, actionner, status, idempotencyKey, message, writes, code, artifact }));
            trail.entries.push({ kind: 'remediation', at, results });
          }
        } else if (type === AGENTS.remediation.skills.revert.activity) {
          const r = RevertResultSchema.array().safeParse(data);
          const input = activityInputs.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) as { trigger?: unknown; by?: unknown } | undefined;
          if (!r.success) unreadable('revert', issues(r.error));
          else trail.entries.push({ kind: 'revert', at, trigger: String(input?.trigger ?? '?'), by: String(input?.by ?? '?'), reverts: r.data });
        }
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED: {
        const request = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[CONTAINMENT_MEMO_KEY];
        if (request) {
          const m = converter.fromPayload(request as never) as { kind?: unknown; request?: { analyst?: unknown } | null; granted?: unknown; refusal?: unknown; policyVersion?: unknown };
          trail.entries.push({
            kind: 'containment_request',
            at,
            request: String(m.kind ?? '?'),
            analyst: typeof m.request?.analyst === 'string' ? m.request.analyst : null,
            granted: m.granted === true,
            refusal: typeof m.refusal === 'string' ? m.refusal : null,
            policyVersion: typeof m.policyVersion === 'string' ? m.policyVersion : null,
          });
        }
        const field = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[DECISION_MEMO_KEY];
        if (!field) break;
        // Records keep a digest of the payload, not the payload: the signal or update event has it as sent.
        const d = DecisionRecordSchema.safeParse(converter.fromPayload(field as never));
        if (!d.success) unreadable('decision', issues(d.error));
        else trail.entries.push({ kind: 'decision', analyst: d.data.decision?.analyst ?? null, ...d.data });
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
        trail.status = 'completed';
        const o = IncidentOutcomeSchema.safeParse(first(e.workflowExecutionCompletedEventAttributes?.result));
        if (!o.success) unreadable('outcome', issues(o.error));
        else trail.entries.push({ kind: 'resolution', at, resolution: o.data.resolution, decidedBy: o.data.decidedBy });
        break;
      }
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
        trail.status = 'failed';
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        trail.status = 'terminated';
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        trail.status = 'timed_out';
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        trail.status = 'canceled';
        break;
      case E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        trail.status = 'continued_as_new';
        break;
      default:
        break;
    }
  }
  return trail;
}

/** Runs of one incident the audit follows back; a long escalation continues as new a few times at most. */
const MAX_RUNS = 100;

/** The whole chain of an incident, oldest run first: a long escalation continues as new, and its verdict is in the first run. */
export async function readAudit(client: Client, incidentId: string): Promise<AuditTrail> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (let i = 0; i < MAX_RUNS; i++) {
    const events = (await client.workflow.getHandle(incidentId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    runId = previous;
  }
  return auditFromHistory(incidentId, runs.flat(), client.options.loadedDataConverter.payloadConverter);
}

const step = (a: { actionner: string; blastRadius: { scope: string }; id: string }) => `${a.actionner} (${a.blastRadius.scope}, ${a.id})`;

const objectName = (r: { kind: string; namespace?: string; name: string }) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

/** The chain as an analyst or auditor reads it: one block per entry, oldest first. */
export function formatAudit(t: AuditTrail): string {
  const out = [`${t.incidentId}  ${t.rule ?? '?'} on ${t.asset ?? '?'}  [${t.status}]${t.traceId ? `  trace ${t.traceId}` : ''}`];
  const more = (label: string, text: string) => out.push(`${''.padEnd(26)}${label.padEnd(11)}${text}`);
  for (const e of t.entries) {
    const head = (label: string, text: string) => out.push(`${e.at.padEnd(26)}${label.padEnd(11)}${text}`);
    switch (e.kind) {
      case 'verdict':
        head('verdict', `${e.outcome} under policy ${e.policyVersion}, input ${e.inputDigest}`);
        for (const r of e.reasons) more('reason', `${r.code}: ${r.message}`);
        for (const m of e.mutations) more('mutated', `${step(m.from)} -> ${step(m.to)}${m.added.length ? ` + ${m.added.map(step).join(', ')}` : ''} [${m.code}]: ${m.reason}`);
        more('would run', e.allowedActions.map((a) => `${a.actionner} (${a.scope}, ${a.id})`).join(', ') || 'nothing');
        if (e.escalation) {
          more('escalation', `${/^[aeiou]/i.test(e.escalation.requiredRole) ? 'an' : 'a'} ${e.escalation.requiredRole} decision within ${e.escalation.timeoutSeconds} s, else ${e.escalation.onTimeout}${e.escalation.repage === false ? '' : ' and page again'}`);
        }
        break;
      case 'decision': {
        const who = e.decision ? `${e.decision.decision} by ${e.decision.analyst}${e.decision.reason ? ` ("${e.decision.reason}")` : ''}` : 'no analyst';
        head('decision', `${e.accepted ? 'accepted' : 'REFUSED'} ${e.via === 'timeout' ? '' : e.signed ? 'signed ' : 'unsigned '}${who} via ${e.via}${e.policyVersion ? ` under policy ${e.policyVersion}` : ' (before policy)'}`);
        if (e.refusal) more('refusal', e.refusal);
        for (const r of e.reasons ?? []) more('reason', `${r.code}: ${r.message}`);
        if (e.requiredRoles?.length) more('needed', e.requiredRoles.join(', '));
        if (e.inputDigest) more('input', e.inputDigest);
        if (e.payloadDigest) more('payload', `${e.payloadDigest} (${e.payloadBytes} chars)`);
        break;
      }
      case 'remediation':
        head('ran', e.results.map((r) => `${r.actionner}=${r.status}${r.code ? `/${r.code}` : ''} (${r.actionId})`).join(', ') || 'nothing');
        for (const r of e.results) {
          for (const w of r.writes ?? []) more('wrote', `${w.verb} ${objectName(w.ref)} [${w.state}] prior ${JSON.stringify(w.prior)}`);
          if (r.artifact) more('evidence', `${r.artifact.path} sha256 ${r.artifact.sha256}`);
          if (r.status === 'refused' || r.status === 'failed') more(r.status, r.message);
        }
        break;
      case 'containment_request':
        head(e.request, `${e.granted ? 'granted' : 'REFUSED'} ${e.analyst ?? '(malformed)'}${e.policyVersion ? ` under policy ${e.policyVersion}` : ''}`);
        if (e.refusal) more('refusal', e.refusal);
        break;
      case 'revert':
        head('reverted', `by ${e.by} (${e.trigger})`);
        for (const r of e.reverts) more(r.outcome, `${r.verb} ${objectName(r.ref)}: ${r.message}`);
        break;
      case 'resolution':
        head('resolution', `${e.resolution}${e.decidedBy ? `, decided by ${e.decidedBy}` : ''}`);
        break;
      case 'unreadable':
        head('unreadable', `${e.what}: ${e.error}`);
        break;
    }
  }
  return out.join('\n');
}

export function registerAuditCommand(program: Command, client: () => Promise<Client>): void {
  program
    .command('audit <incident>')
    .description('what Vigil decided, who allowed it, under which policy version: the incident history as an audit chain')
    .option('--json', 'print JSON')
    .action(async (incident: string, opts: { json?: boolean }) => {
      const trail = await readAudit(await client(), incident);
      process.stdout.write(opts.json ? `${JSON.stringify(trail, null, 2)}\n` : `${formatAudit(trail)}\n`);
    });
}
