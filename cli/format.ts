import type { IncidentState } from '../contracts';
import { quorumProgress } from '../contracts';

/** The incident as an analyst reads it in a terminal. */
export function formatIncident(s: IncidentState): string {
  const lines = [
    `${s.incidentId}  [${s.severity}] ${s.status}${s.resolution ? ` (${s.resolution})` : ''}`,
    `  rule:     ${s.anomaly.alert.rule} (${s.anomaly.alert.priority})`,
    `  asset:    ${s.assetLabel}`,
    `  trace_id: ${s.traceId}   score: ${s.anomaly.score.toFixed(3)}   joined alerts: ${s.joinedAlerts}`,
  ];
  if (s.followUpOf) lines.push(`  follows:  ${s.followUpOf} (closed before this incident's first alert arrived)`);
  const timeline = s.timeline ?? [];
  if (timeline.length > 1 || s.joinedAlerts > 0) {
    lines.push(`  timeline: ${s.joinedAlerts + 1} alert(s)${s.reanalyses ? `, analysed again ${s.reanalyses} time(s) as the chain escalated` : ''}`);
    for (const e of timeline) {
      const what = [e.process ? `proc ${e.process}` : '', e.techniques?.length ? e.techniques.join(',') : '', `score ${e.score.toFixed(2)}`].filter(Boolean).join('  ');
      const mark = e.novel ? (e.reanalysis ? ` [new to the chain: ${e.reanalysis.replace(/_/g, ' ')}]` : ' [new to the chain]') : '';
      lines.push(`    ${e.time ?? '?'}  ${e.rule} (${e.priority})  ${what}${mark}`);
    }
    if (s.joinedAlerts + 1 > timeline.length) lines.push(`    … ${s.joinedAlerts + 1 - timeline.length} more (counted, not listed)`);
  }
  if (s.analysis) {
    lines.push(`  analysis: ${s.analysis.summary} (confidence ${s.analysis.confidence}, ${s.analysis.analyser.kind})`);
  }
  if (s.verdict) {
    lines.push(`  verdict:  ${s.verdict.outcome} — ${s.verdict.reasons.map((r) => `${r.code}: ${r.message}`).join('; ')} [policy ${s.verdict.policyVersion}]`);
    for (const m of s.verdict.mutations) lines.push(`  mutated:  ${m.from.actionner} -> ${m.to.actionner}: ${m.reason}`);
    if (s.verdict.escalation && s.status === 'awaiting_decision') {
      lines.push(`  waiting:  a ${s.verdict.escalation.requiredRole} decision before ${s.escalationDeadline ?? '?'}, then ${s.verdict.escalation.onTimeout}`);
    }
  }
  if (s.quorum) lines.push(`  quorum:   ${quorumProgress(s.quorum)}`);
  for (const d of s.decisions) {
    const who = d.decision ? `${d.decision.decision} by ${d.decision.analyst}${d.decision.reason ? ` ("${d.decision.reason}")` : ''}` : d.via;
    const how = d.via === 'timeout' ? '' : d.signed ? ' signed' : ' unsigned';
    lines.push(`  decision: ${d.at} ${d.accepted ? 'accepted' : 'REFUSED'}${how} via ${d.via}: ${who}${d.refusal ? ` — ${d.refusal}` : ''}`);
  }
  if (s.refusalsDropped > 0) lines.push(`  refused:  ${s.refusalsDropped} more attempt(s) refused and not kept (cap reached)`);
  for (const f of s.failures) lines.push(`  FAILED:   ${f.step} at ${f.at}: ${f.message}`);
  for (const r of s.actionResults) lines.push(`  action:   ${r.actionner} ${r.status}: ${r.message}`);
  return lines.join('\n');
}
