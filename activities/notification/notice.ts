import { z } from 'zod';
import { analystDecisionSignal } from '../../workflows/definitions';
import { ActionResultSchema, ContainmentSchema, ProposedActionSchema, ReasonSchema, RESOLUTIONS, SEVERITIES, VERDICT_OUTCOMES } from '../../contracts';

/** What the coordinator asks the notification agent to tell people. */
export const NoticeSchema = z.object({
  /**
   * `remediation_refused`: pre-flight, a guard or the API server refused an allowed action, so a
   * human must look (fail closed, loud); `containment_released`: containment was reverted,
   * expired (policy TTL) or confirmed; `incident_failed`: a step failed past its retries, the
   * incident fell back or stopped, and a human is paged.
   */
  kind: z.enum(['escalation', 'resolution', 'escalation_expired', 'remediation_refused', 'containment_released', 'incident_failed']),
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
  /** The two-person rule's progress, e.g. "1 of 2 approvals (alice)"; null when not escalated. */
  approvals: z.string().max(500).nullable().default(null),
  /** Steps that failed: the incident fell back, escalated or stopped, and pages about it. */
  failures: z.array(z.string().max(2000)).max(20).default([]),
  /** The closed incident this one follows up (its workload's chain went on after it closed). */
  followUpOf: z.string().max(200).nullable().default(null),
  /** Alerts in the incident's chain so far (1 for a lone alert). */
  chainAlerts: z.number().int().min(1).default(1),
});
export type Notice = z.infer<typeof NoticeSchema>;

/** Event content (rule, summary, reasons, names) is shown at most this long per field. */
export const MAX_QUOTED_CHARS = 300;
const MAX_PROPOSED_SHOWN = 10;

/**
 * Event content as inert text, for Mattermost and Slack alike: one line (no fence, list, heading or
 * quote can start, since content never begins a line); backticks become `ˋ` (no code span in either
 * dialect); emphasis and link brackets backslash-escaped (Mattermost); `<`, `>` and `&` as entities
 * (Slack's `<!channel>` and `<url|text>` need them raw); every `@` followed by a zero-width space so
 * no `@channel`/`@here`/`@user` mention fires, and after every `:` of `://` so no URL autolinks;
 * cut to a bound.
 */
export function inertText(text: string, max = MAX_QUOTED_CHARS): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  const cut = oneLine.length > max ? `${oneLine.slice(0, max)}… (${oneLine.length - max} more characters)` : oneLine;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/`/g, '\u02cb')
    .replace(/[\\*_~[\]]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/:\/\//g, ':\u200b//');
}

/** Event content as a quotation: marked as what the event (or the model) said, never as Vigil's own words. */
const quoted = (label: string, text: string, max = MAX_QUOTED_CHARS) => `> ${label}: “${inertText(text, max)}”`;

/** Incident ids come from the workflow id, which a hand-started workflow chooses: keep it to safe characters. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._:-]/g, '?').slice(0, 200);
}

/** The exact commands an analyst runs to decide; the same text goes to chat and the console. */
export function decisionCommands(incidentId: string): string[] {
  const id = safeId(incidentId);
  return [
    `vigil approve ${id} --analyst <you> --reason "<why>"`,
    `vigil reject ${id} --analyst <you> --reason "<why>"`,
    `temporal workflow signal --workflow-id ${id} --name ${analystDecisionSignal.name} --input "$(vigil approve ${id} --analyst <you> --print)"`,
  ];
}

/** The commands that keep or undo an incident's containment. */
export function containmentCommands(incidentId: string): string[] {
  return [`vigil confirm ${incidentId} --analyst <you> --reason "<why>"`, `vigil revert ${incidentId} --analyst <you> --reason "<why>"`];
}

/** Markdown that renders in Mattermost and Slack alike; event content only as quoted, inert, bounded text. */
export function renderNotice(n: Notice): string {
  const where = `${n.severity.toUpperCase()} on ${inertText(n.asset, 120)}`;
  const head = {
    escalation: `:rotating_light: **Vigil needs a decision** — ${where}`,
    escalation_expired: `:alarm_clock: **Escalation expired** — ${where} (${n.resolution ?? ''})`,
    resolution: `:shield: **Vigil ${n.resolution ?? 'resolved'}** — ${where}`,
    remediation_refused: `:warning: **Vigil did not act** — ${where}: an allowed action was refused, a human must look`,
    containment_released: `:unlock: **Containment ${n.containment?.state ?? 'released'}** — ${where}${n.containment?.settledBy ? ` by ${inertText(n.containment.settledBy, 200)}` : ''}`,
    incident_failed: `:sos: **Vigil could not handle an incident by itself** — ${where}`,
  }[n.kind];
  const lines = [head, quoted('Rule', n.rule, 120), quoted('Summary', n.summary), `Verdict: ${n.verdict}`];
  if (n.followUpOf) lines.push(`Follow-up of ${safeId(n.followUpOf)}: the same workload's chain went on after that incident closed.`);
  if (n.chainAlerts > 1) lines.push(`Chain: ${n.chainAlerts} alerts on this workload (\`vigil show ${safeId(n.incidentId)}\` lists them).`);
  for (const r of n.reasons.slice(0, MAX_PROPOSED_SHOWN)) lines.push(quoted(`Reason ${r.code.replace(/[^a-z0-9_]/g, '')}`, r.message, 200));
  if (n.proposedActions.length) {
    const shown = n.proposedActions.slice(0, MAX_PROPOSED_SHOWN).map((a) => `${a.actionner} on ${inertText(`${a.target.namespace}/${a.target.pod ?? a.target.workload ?? '-'}`, 120)}`);
    const more = n.proposedActions.length - shown.length;
    lines.push(`Proposed: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  for (const f of n.failures) lines.push(quoted('Failed', f, 300));
  if (n.approvals) lines.push(`Approvals: ${inertText(n.approvals, 300)}`);
  if (n.kind === 'escalation') {
    lines.push(`Needs role ${inertText(n.requiredRole ?? 'analyst', 40)}; decide before ${inertText(n.escalationDeadline ?? '?', 40)} or policy applies its timeout outcome.`);
    lines.push('Approve or reject (signed with your key) with one of:');
    lines.push('```', ...decisionCommands(n.incidentId), '```');
  }
  if (n.actionResults.length) {
    lines.push(`Actions: ${n.actionResults.map((r) => `${r.actionner}=${r.status}${r.code ? ` (${r.code})` : ''}`).join(', ')}`);
  }
  if (n.kind === 'remediation_refused') {
    for (const r of n.actionResults.filter((a) => a.status === 'refused' || a.status === 'failed')) lines.push(quoted(`- ${r.actionner}`, r.message, 300));
  }
  if (n.kind === 'resolution' && n.containment?.state === 'held') {
    lines.push(`Containment holds${n.containment.expiresAt ? ` until ${n.containment.expiresAt} (policy TTL)` : ''}; keep or undo it with:`);
    lines.push('```', ...containmentCommands(n.incidentId), '```');
  }
  if (n.kind === 'containment_released' && n.containment) {
    for (const r of n.containment.reverts) lines.push(`- ${r.ref.kind} ${inertText(`${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name}`, 200)}: ${r.outcome}`);
  }
  if (n.decidedBy) lines.push(`Decided by: ${inertText(n.decidedBy, 200)}`);
  lines.push(`Incident: \`${safeId(n.incidentId)}\` · trace_id \`${safeId(n.traceId)}\``);
  return lines.join('\n');
}
