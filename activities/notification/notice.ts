import { z } from 'zod';
import { analystDecisionSignal } from '../../workflows/definitions';
import { ActionResultSchema, ContainmentSchema, ProposedActionSchema, ReasonSchema, RESOLUTIONS, SEVERITIES, VERDICT_OUTCOMES } from '../../contracts';

/** What the coordinator asks the notification agent to tell people. */
export const NoticeSchema = z.object({
  /**
   * `remediation_refused`: pre-flight, a guard or the API server refused an allowed action, so a
   * human must look (fail closed, loud); `containment_released`: containment was reverted,
   * expired (policy TTL) or confirmed.
   */
  kind: z.enum(['escalation', 'resolution', 'escalation_expired', 'remediation_refused', 'containment_released']),
  incidentId: z.string(),
  traceId: z.string(),
  severity: z.enum(SEVERITIES),
  asset: z.string(),
  rule: z.string(),
  summary: z.string(),
  verdict: z.enum(VERDICT_OUTCOMES),
  reasons: z.array(ReasonSchema),
  proposedActions: z.array(ProposedActionSchema),
  resolution: z.enum(RESOLUTIONS).nullable(),
  decidedBy: z.string().nullable(),
  actionResults: z.array(ActionResultSchema),
  escalationDeadline: z.string().nullable(),
  requiredRole: z.string().nullable(),
  containment: ContainmentSchema.nullable().optional(),
});
export type Notice = z.infer<typeof NoticeSchema>;

/** The exact commands an analyst runs to decide; the same text goes to chat and the console. */
export function decisionCommands(incidentId: string): string[] {
  const payload = (d: string) => `'{"decision":"${d}","analyst":"<you>","reason":"<why>"}'`;
  return [
    `vigil approve ${incidentId} --analyst <you> --reason "<why>"`,
    `vigil reject ${incidentId} --analyst <you> --reason "<why>"`,
    `temporal workflow signal --workflow-id ${incidentId} --name ${analystDecisionSignal.name} --input ${payload('approve')}`,
  ];
}

/** The commands that keep or undo an incident's containment. */
export function containmentCommands(incidentId: string): string[] {
  return [`vigil confirm ${incidentId} --analyst <you> --reason "<why>"`, `vigil revert ${incidentId} --analyst <you> --reason "<why>"`];
}

/** Markdown that renders in Mattermost and Slack alike. */
export function renderNotice(n: Notice): string {
  const head = {
    escalation: `:rotating_light: **Vigil needs a decision** — ${n.severity.toUpperCase()} on \`${n.asset}\``,
    escalation_expired: `:alarm_clock: **Escalation expired** — ${n.severity.toUpperCase()} on \`${n.asset}\` (${n.resolution ?? ''})`,
    resolution: `:shield: **Vigil ${n.resolution ?? 'resolved'}** — ${n.severity.toUpperCase()} on \`${n.asset}\``,
    remediation_refused: `:warning: **Vigil did not act** — ${n.severity.toUpperCase()} on \`${n.asset}\`: an allowed action was refused, a human must look`,
    containment_released: `:unlock: **Containment ${n.containment?.state ?? 'released'}** — ${n.severity.toUpperCase()} on \`${n.asset}\`${n.containment?.settledBy ? ` by ${n.containment.settledBy}` : ''}`,
  }[n.kind];
  const lines = [
    head,
    `Rule: ${n.rule}`,
    `Summary: ${n.summary}`,
    `Verdict: ${n.verdict} (${n.reasons.map((r) => r.message).join('; ')})`,
  ];
  if (n.proposedActions.length) {
    lines.push(`Proposed: ${n.proposedActions.map((a) => `${a.actionner} on ${a.target.namespace}/${a.target.pod ?? a.target.workload ?? '-'}`).join(', ')}`);
  }
  if (n.kind === 'escalation') {
    lines.push(`Needs role \`${n.requiredRole ?? 'analyst'}\`; decide before ${n.escalationDeadline ?? '?'} or policy applies its timeout outcome.`);
    lines.push('Approve or reject with one of:');
    lines.push('```', ...decisionCommands(n.incidentId), '```');
  }
  if (n.actionResults.length) {
    lines.push(`Actions: ${n.actionResults.map((r) => `${r.actionner}=${r.status}${r.code ? ` (${r.code})` : ''}`).join(', ')}`);
  }
  if (n.kind === 'remediation_refused') {
    for (const r of n.actionResults.filter((a) => a.status === 'refused' || a.status === 'failed')) lines.push(`- ${r.actionner}: ${r.message}`);
  }
  if (n.kind === 'resolution' && n.containment?.state === 'held') {
    lines.push(`Containment holds${n.containment.expiresAt ? ` until ${n.containment.expiresAt} (policy TTL)` : ''}; keep or undo it with:`);
    lines.push('```', ...containmentCommands(n.incidentId), '```');
  }
  if (n.kind === 'containment_released' && n.containment) {
    for (const r of n.containment.reverts) lines.push(`- ${r.ref.kind} ${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name}: ${r.outcome}`);
  }
  if (n.decidedBy) lines.push(`Decided by: ${n.decidedBy}`);
  lines.push(`Incident: \`${n.incidentId}\` · trace_id \`${n.traceId}\``);
  return lines.join('\n');
}
