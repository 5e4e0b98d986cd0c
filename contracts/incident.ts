import { z } from 'zod';
import { ActionResultSchema } from './action';
import { AnalysisSchema } from './analysis';
import { AnomalySchema } from './anomaly';
import { AssetSchema } from './asset';
import { DecisionRecordSchema } from './decision';
import { SEVERITIES } from './severity';
import { VerdictSchema } from './verdict';

export const INCIDENT_STATUSES = ['analysing', 'reviewing', 'awaiting_decision', 'remediating', 'notifying', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** How an incident ended: actions ran (or were dry-run), were refused, or the analyst wait expired. */
export const RESOLUTIONS = ['executed', 'rejected', 'expired_rejected', 'expired_executed'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const IncidentStateSchema = z.object({
  incidentId: z.string(),
  traceId: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  resolution: z.enum(RESOLUTIONS).nullable(),
  anomaly: AnomalySchema,
  /** Alerts that joined this incident after it started (same correlation key). */
  joinedAlerts: z.number().int(),
  asset: AssetSchema,
  assetLabel: z.string(),
  severity: z.enum(SEVERITIES),
  analysis: AnalysisSchema.nullable(),
  verdict: VerdictSchema.nullable(),
  /** Whether the gate opened this incident, as the review agent verified it; null before review (and in older histories). */
  trusted: z.boolean().nullable().optional(),
  escalationDeadline: z.string().nullable(),
  decisions: z.array(DecisionRecordSchema),
  actionResults: z.array(ActionResultSchema),
  notifications: z.array(z.object({ kind: z.string(), channel: z.string(), delivered: z.boolean(), at: z.string() })),
  startedAt: z.string(),
});
export type IncidentState = z.infer<typeof IncidentStateSchema>;

export const IncidentOutcomeSchema = z.object({
  incidentId: z.string(),
  traceId: z.string(),
  resolution: z.enum(RESOLUTIONS),
  verdict: VerdictSchema.shape.outcome,
  decidedBy: z.string().nullable(),
  actionResults: z.array(ActionResultSchema),
});
export type IncidentOutcome = z.infer<typeof IncidentOutcomeSchema>;
