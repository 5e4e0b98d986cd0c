import type { Analysis, Anomaly } from '../../contracts';
import { assetLabel, assetOf, severityFromPriority } from '../../contracts';
import { techniqueFromTags } from './mitre';
import { proposeActions } from './playbook';
import { ruleKnowledge } from './rule-knowledge';

export const DETERMINISTIC_ANALYSER_VERSION = 'rules-1';

/**
 * Rule/MITRE-mapping analyser: the fallback when no LLM is configured or the LLM fails.
 * Confidence reflects how much we know about the rule, not how bad the event is.
 */
export function analyseDeterministically(anomaly: Anomaly): Analysis {
  const { alert } = anomaly;
  const severity = severityFromPriority(alert.priority);
  const asset = assetOf(alert);
  const knowledge = ruleKnowledge(alert.rule, alert.tags);
  const technique = techniqueFromTags(knowledge.tags);
  let confidence = 0.4;
  if (knowledge.known) confidence += 0.25;
  if (technique) confidence += 0.2;
  if (asset.pod) confidence += 0.05;
  confidence = Math.round(Math.min(confidence, 0.95) * 100) / 100;
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
