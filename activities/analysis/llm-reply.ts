import { z } from 'zod';
import type { Analysis, Anomaly, ProposedAction } from '../../contracts';
import { ActionTargetSchema, assetLabel, assetOf, SEVERITIES, severityFromPriority, TechniqueSchema } from '../../contracts';
import { analyseDeterministically, evidenceConfidence } from './deterministic-analyser';

/** What the model is asked for. Blast radius and analyser metadata are ours to set, not the model's. */
export const LlmReplySchema = z.object({
  severity: z.enum(SEVERITIES),
  technique: TechniqueSchema.nullable(),
  confidence: z.number().min(0).max(1),
  summary: z.string().min(1).max(4000),
  actions: z
    .array(
      z.object({
        id: z.string().min(1).max(64),
        actionner: z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, 'actionner must be category:name'),
        target: ActionTargetSchema,
        params: z.record(z.string(), z.unknown()).default({}),
        rationale: z.string().max(2000).default(''),
      }),
    )
    .max(16),
});
export type LlmReply = z.infer<typeof LlmReplySchema>;

export const LLM_REPLY_JSON_SCHEMA = z.toJSONSchema(LlmReplySchema, { io: 'input' }) as Record<string, unknown>;

export type DropReason = 'target_not_alert_asset' | 'unknown_actionner';

export interface Admission {
  analysis: Analysis;
  dropped: Array<{ action: LlmReply['actions'][number]; reason: DropReason }>;
}

/**
 * Turns a schema-valid reply into an analysis the rest of Vigil may trust as far as the facts go.
 * The model proposes; these facts are not its to change:
 * - severity stays the one Falco's priority gives (a model talked into "critical" would unlock
 *   actions policy allows only at that severity; one talked into "info" would silence the response);
 *   a differing opinion is kept in the note.
 * - confidence may be lowered by the model but never raised above what the alert's evidence
 *   supports (evidenceConfidence): policy auto-executes only above a confidence threshold, so a
 *   model talked into "0.99" must not turn an escalation into an automatic action.
 * - every action targets exactly the alert's own namespace and pod, or it is dropped: a model must
 *   not be able to aim a response at another workload. Blast radius is then one pod, by construction.
 * - only actionners Vigil has are kept, so an analyst's approval can never meet an unknown step.
 * - the rule analyser's proposals travel along as the `floor`: policy adds what the model left out
 *   and escalates the shortfall, so a model talked into proposing nothing cannot close an incident.
 */
export function admitReply(reply: LlmReply, anomaly: Anomaly, knownActionners: ReadonlySet<string>, meta: { model: string; promptVersion: string; version: string }): Admission {
  const asset = assetOf(anomaly.alert);
  const severity = severityFromPriority(anomaly.alert.priority);
  const dropped: Admission['dropped'] = [];
  const actions: ProposedAction[] = [];
  const ids = new Set<string>();
  for (const a of reply.actions) {
    const t = a.target;
    const onAsset = asset.namespace !== undefined && asset.pod !== undefined && t.namespace === asset.namespace && t.pod === asset.pod && !t.workload && !t.node;
    if (!onAsset) {
      dropped.push({ action: a, reason: 'target_not_alert_asset' });
      continue;
    }
    if (!knownActionners.has(a.actionner)) {
      dropped.push({ action: a, reason: 'unknown_actionner' });
      continue;
    }
    let id = a.id;
    for (let n = 2; ids.has(id); n += 1) id = `${a.id.slice(0, 60)}-${n}`;
    ids.add(id);
    actions.push({ id, actionner: a.actionner, target: { namespace: t.namespace, pod: t.pod }, params: a.params, blastRadius: { scope: 'pod', pods: 1 }, rationale: a.rationale });
  }
  const notes: string[] = [];
  const ceiling = evidenceConfidence(anomaly);
  const confidence = Math.min(reply.confidence, ceiling);
  if (reply.confidence > ceiling) notes.push(`model said confidence ${reply.confidence}; capped at ${ceiling}, what the alert's evidence supports`);
  if (reply.severity !== severity) notes.push(`model said severity ${reply.severity}; kept ${severity} from Falco priority ${anomaly.alert.priority}`);
  for (const d of dropped) {
    const t = d.action.target;
    const where = `${t.namespace}/${t.pod ?? t.workload ?? t.node ?? '-'}`;
    notes.push(d.reason === 'target_not_alert_asset' ? `dropped ${d.action.actionner} on ${where}: not the alert's asset ${assetLabel(asset)}` : `dropped unknown actionner ${d.action.actionner.slice(0, 64)}`);
  }
  return {
    analysis: {
      severity,
      technique: reply.technique,
      confidence,
      summary: reply.summary,
      actions,
      floor: analyseDeterministically(anomaly).actions,
      analyser: { kind: 'llm', version: meta.version, model: meta.model, promptVersion: meta.promptVersion, ...(notes.length ? { note: notes.join('; ').slice(0, 2000) } : {}) },
    },
    dropped,
  };
}
