import { z } from 'zod';
import { ActionResultSchema, RevertResultSchema } from './action';
import { AnalysisSchema } from './analysis';
import { AnomalySchema } from './anomaly';
import { AssetSchema } from './asset';
import { DecisionRecordSchema, SignedDecisionSchema } from './decision';
import { SEVERITIES } from './severity';
import { VerdictSchema } from './verdict';
import { TOUCHES } from './joined-alert';

/**
 * `contained`: containment is in force on the cluster, held until reverted, confirmed or its policy
 * TTL passes. `watching`: settled without containment, the incident stays open for the gate's
 * correlation window, so a later, novel alert of its workload is analysed in it (not in a new one).
 */
export const INCIDENT_STATUSES = ['analysing', 'reviewing', 'awaiting_decision', 'remediating', 'notifying', 'contained', 'watching', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Where an incident stops moving by itself: closed, waiting for a human, holding containment, or watching its workload. */
export const SETTLED_STATUSES: ReadonlySet<IncidentStatus> = new Set(['closed', 'awaiting_decision', 'contained', 'watching']);

/**
 * How an incident ended: actions ran (or were dry-run), were refused, the analyst wait expired, or
 * a step failed past its retries (`failed`: recorded in `failures`, and paged).
 */
export const RESOLUTIONS = ['executed', 'rejected', 'expired_rejected', 'expired_executed', 'failed'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** How an incident's containment ended (or that it still holds). */
export const CONTAINMENT_STATES = ['held', 'confirmed', 'reverted', 'expired'] as const;

/**
 * An analyst's request to undo or keep containment, authorised by policy like a decision: `token`
 * is a signed decision (revert = reject, confirm = approve) for the incident's verdict, and its
 * subject, not `analyst`, is who asked; without one the request is a plain claim policy refuses
 * unless the namespace accepts unsigned decisions.
 */
export const ContainmentRequestSchema = z.object({
  analyst: z.string().min(1).max(128),
  reason: z.string().max(2000).default(''),
  token: SignedDecisionSchema.shape.token.optional(),
});
export type ContainmentRequest = z.infer<typeof ContainmentRequestSchema>;
export type ContainmentRequestInput = z.input<typeof ContainmentRequestSchema>;

export const ContainmentSchema = z.object({
  state: z.enum(CONTAINMENT_STATES),
  /** From policy data (`remediation.containment_ttl_seconds.<severity>`); null holds until an analyst acts. */
  ttlSeconds: z.number().int().positive().nullable(),
  expiresAt: z.string().nullable(),
  /** Who confirmed or reverted it (`policy-ttl` when the TTL expired). */
  settledBy: z.string().nullable(),
  reason: z.string().nullable(),
  reverts: z.array(RevertResultSchema),
});
export type Containment = z.infer<typeof ContainmentSchema>;
/**
 * The two-person rule's progress: how many distinct analysts must approve (policy's quorum, the
 * highest any authority check named), who has, and who rejected.
 */
export const QuorumSchema = z.object({
  approvalsNeeded: z.number().int().min(1),
  rejectsNeeded: z.number().int().min(1),
  approvedBy: z.array(z.string()),
  rejectedBy: z.array(z.string()),
});
export type Quorum = z.infer<typeof QuorumSchema>;

/** "1 of 2 approvals (alice)": what the UI's current details, `vigil pending` and the CLI show. */
export function quorumProgress(q: Quorum): string {
  const who = q.approvedBy.length ? ` (${q.approvedBy.join(', ')})` : '';
  const rejects = q.rejectedBy.length ? `; ${q.rejectedBy.length} of ${q.rejectsNeeded} rejects (${q.rejectedBy.join(', ')})` : '';
  return `${q.approvedBy.length} of ${q.approvalsNeeded} approval${q.approvalsNeeded === 1 ? '' : 's'}${who}${rejects}`;
}

/** A failure the incident survived by falling back, escalating and paging (fail loud, never silent). */
export const IncidentFailureSchema = z.object({
  step: z.enum(['analysis', 'review', 'notification', 'remediation', 'workflow']),
  message: z.string(),
  at: z.string(),
});
export type IncidentFailure = z.infer<typeof IncidentFailureSchema>;

/** One alert of the incident's chain, as the timeline shows it (the first alert, then each distinct joined one). */
export const TimelineEntrySchema = z.object({
  traceId: z.string(),
  rule: z.string(),
  priority: z.string(),
  score: z.number(),
  time: z.string().optional(),
  process: z.string().optional(),
  techniques: z.array(z.string()).optional(),
  /** Protected targets it reached (contracts/joined-alert.ts TOUCHES). */
  touches: z.array(z.enum(TOUCHES)).optional(),
  /** It brought a new rule, technique, protected target or a higher priority to the chain. */
  novel: z.boolean(),
  /** What became of a novel alert: analysed and reviewed again, or only recorded (and why). */
  reanalysis: z.enum(['done', 'after_settlement', 'no_alert_body', 'limit_reached']).optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const IncidentStateSchema = z.object({
  incidentId: z.string(),
  traceId: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  resolution: z.enum(RESOLUTIONS).nullable(),
  anomaly: AnomalySchema,
  /** Alerts that joined this incident after it started (same correlation key). */
  joinedAlerts: z.number().int(),
  /** The chain, first alert first, up to a bound (`joinedAlerts` counts past it); absent in older histories. */
  timeline: z.array(TimelineEntrySchema).optional(),
  /** Times analysis and review ran again because a joined alert escalated the chain. */
  reanalyses: z.number().int().optional(),
  /** The closed incident this one follows up (its alert arrived after that one closed). */
  followUpOf: z.string().nullable().optional(),
  asset: AssetSchema,
  assetLabel: z.string(),
  severity: z.enum(SEVERITIES),
  analysis: AnalysisSchema.nullable(),
  verdict: VerdictSchema.nullable(),
  /** Whether the gate opened this incident, as the review agent verified it; null before review (and in older histories). */
  trusted: z.boolean().nullable().optional(),
  escalationDeadline: z.string().nullable(),
  decisions: z.array(DecisionRecordSchema),
  /** Approvals and rejects counted so far; null until the incident escalates. */
  quorum: QuorumSchema.nullable().default(null),
  /** Nonces of every verified decision token seen in this incident: a token is used once. */
  decisionNonces: z.array(z.string()).default([]),
  /** Refused decision attempts past the record cap: counted, not kept. */
  refusalsDropped: z.number().int().nonnegative().default(0),
  /** Steps that failed and what the incident did instead. */
  failures: z.array(IncidentFailureSchema).default([]),
  actionResults: z.array(ActionResultSchema),
  /** Set once remediation wrote to the cluster (not for dry-runs). */
  containment: ContainmentSchema.nullable().optional(),
  notifications: z.array(z.object({ kind: z.string(), channel: z.string(), delivered: z.boolean(), at: z.string() })),
  startedAt: z.string(),
  /** When the newest alert of the chain reached the incident (workflow time); what the watch counts its idle time from. */
  lastAlertAt: z.string().optional(),
});
export type IncidentState = z.infer<typeof IncidentStateSchema>;

export const IncidentOutcomeSchema = z.object({
  incidentId: z.string(),
  traceId: z.string(),
  resolution: z.enum(RESOLUTIONS),
  verdict: VerdictSchema.shape.outcome,
  decidedBy: z.string().nullable(),
  actionResults: z.array(ActionResultSchema),
  containment: ContainmentSchema.nullable().optional(),
  /** Notices that could not be delivered after their retries, by kind. */
  undelivered: z.array(z.string()).default([]),
  /** Steps that failed (the incident fell back, escalated and paged). */
  failures: z.array(IncidentFailureSchema).default([]),
});
export type IncidentOutcome = z.infer<typeof IncidentOutcomeSchema>;

/** Memo key under which every containment request (granted or refused) is upserted, for `vigil audit`. */
export const CONTAINMENT_MEMO_KEY = 'vigilContainment';
