import type { Analysis, Anomaly, FalcoPriority } from '../../contracts';
import { assetLabel, assetOf, severityFromPriority } from '../../contracts';
import { techniqueFromTags } from './mitre';
import { proposeActions } from './playbook';
import { ruleKnowledge } from './rule-knowledge';

export const DETERMINISTIC_ANALYSER_VERSION = 'rules-2';

/** How much Falco's priority says: the rule author's own judgement of how bad the behaviour is. */
const PRIORITY_EVIDENCE: Record<FalcoPriority, number> = { Emergency: 0.35, Alert: 0.35, Critical: 0.3, Error: 0.2, Warning: 0.15, Notice: 0.1, Informational: 0, Debug: 0 };

/**
 * What the rule's MITRE tactic says of compromise (Falco tags it `mitre_<tactic>`): taking
 * credentials, escaping or calling home says more than running a shell, and looking around
 * (discovery: a GitOps controller contacting the API server) says nothing on its own.
 */
const TACTIC_EVIDENCE: Record<string, number> = {
  mitre_privilege_escalation: 0.2,
  mitre_credential_access: 0.2,
  mitre_command_and_control: 0.2,
  mitre_exfiltration: 0.2,
  mitre_impact: 0.2,
  mitre_lateral_movement: 0.2,
  mitre_persistence: 0.15,
  mitre_defense_evasion: 0.15,
  mitre_execution: 0.15,
  mitre_collection: 0.1,
  mitre_initial_access: 0.1,
  mitre_discovery: 0,
};

/**
 * How strongly the alert's own facts point at a compromise: Falco's priority, the strongest MITRE
 * tactic its rule carries, and a very anomalous score. Not how well the rule is known: a familiar
 * rule about harmless behaviour is still harmless. It is this analyser's confidence and the
 * ceiling on an LLM's (llm-reply.ts). Known-bad indicators (miner ports, reverse shells) are
 * weighed by the review policy from its data, not here.
 */
export function evidenceConfidence(anomaly: Pick<Anomaly, 'alert' | 'score'>): number {
  const { alert } = anomaly;
  const tags = ruleKnowledge(alert.rule, alert.tags).tags;
  const tactic = Math.max(0, ...tags.map((t) => TACTIC_EVIDENCE[t] ?? 0));
  const score = anomaly.score >= 0.9 ? 0.05 : 0;
  return Math.round(Math.min(0.35 + PRIORITY_EVIDENCE[alert.priority] + tactic + score, 0.95) * 100) / 100;
}

/** Rule/MITRE-mapping analyser: the fallback when no LLM is configured or the LLM fails, and the floor under an LLM's proposals. */
export function analyseDeterministically(anomaly: Anomaly): Analysis {
  const { alert } = anomaly;
  const severity = severityFromPriority(alert.priority);
  const asset = assetOf(alert);
  const knowledge = ruleKnowledge(alert.rule, alert.tags);
  const technique = techniqueFromTags(knowledge.tags);
  const confidence = evidenceConfidence(anomaly);
  const actions = proposeActions(severity, asset, knowledge.tags);
  const what = technique ? `${technique.id} ${technique.name} (${technique.tactic})` : 'no mapped MITRE technique';
  const summary =
    `Falco rule "${alert.rule}" (${alert.priority}) on ${assetLabel(asset)}: ${what}. ` +
    (actions.length ? `Proposed: ${actions.map((a) => a.actionner).join(', ')}.` : 'No automatic response proposed.');
  return {
    severity,
    technique,
    confidence,
    summary,
    actions,
    analyser: { kind: 'deterministic', version: DETERMINISTIC_ANALYSER_VERSION },
  };
}
