import { z } from 'zod';
import { analystDecisionSignal } from '../../workflows/definitions';
import { ActionResultSchema, ProposedActionSchema, ReasonSchema, RESOLUTIONS, SEVERITIES, VERDICT_OUTCOMES } from '../../contracts';

/** What the coordinator asks the notification agent to tell people. */
export const NoticeSchema = z.object({
  kind: z.enum(['escalation', 'resolution', 'escalation_expired']),
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

/** Markdown that renders in Mattermost and Slack alike. */
export function renderNotice(n: Notice): string {
  const head = {
    escalation: `:rotating_light: **Vigil needs a decision** — ${n.severity.toUpperCase()} on \`${n.asset}\``,
    escalation_expired: `:alarm_clock: **Escalation expired** — ${n.severity.toUpperCase()} on \`${n.asset}\` (${n.resolution ?? ''})`,
    resolution: `:shield: **Vigil ${n.resolution ?? 'resolved'}** — ${n.severity.toUpperCase()} on \`${n.asset}\``,
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
    lines.push(`Actions: ${n.actionResults.map((r) => `${r.actionner}=${r.status}`).join(', ')}`);
  }
  if (n.decidedBy) lines.push(`Decided by: ${n.decidedBy}`);
  lines.push(`Incident: \`${n.incidentId}\` · trace_id \`${n.traceId}\``);
  return lines.join('\n');
}
