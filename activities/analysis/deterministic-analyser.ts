import type { Analysis, Anomaly, FalcoAlert } from '../../contracts';
import { assetLabel, assetOf, severityFromPriority } from '../../contracts';
import { techniqueFromTags } from './mitre';
import { proposeActions } from './playbook';
import { ruleKnowledge } from './rule-knowledge';

export const DETERMINISTIC_ANALYSER_VERSION = 'rules-1';

/**
 * How sure the facts of an alert let anyone be: a rule we know, a mapped MITRE technique, a pod to
 * act on. It is this analyser's confidence and the ceiling on an LLM's (llm-reply.ts).
 */
export function evidenceConfidence(alert: FalcoAlert): number {
  const knowledge = ruleKnowledge(alert.rule, alert.tags);
  return confidenceFrom(knowledge.known, techniqueFromTags(knowledge.tags) !== null, Boolean(assetOf(alert).pod));
}

function confidenceFrom(knownRule: boolean, mappedTechnique: boolean, hasPod: boolean): number {
  let confidence = 0.4;
  if (knownRule) confidence += 0.25;
  if (mappedTechnique) confidence += 0.2;
  if (hasPod) confidence += 0.05;
  return Math.round(Math.min(confidence, 0.95) * 100) / 100;
}

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
  const confidence = confidenceFrom(knowledge.known, technique !== null, Boolean(asset.pod));
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
