import catalog from './rule-catalog.json';

/**
 * What the analyser knows about a rule: tags from Falco's default rules, plus the k8s-audit and
 * older rules that ship elsewhere (their tags here are our own mapping, not Falco's).
 */
const EXTRA_RULE_TAGS: Record<string, string[]> = {
  'Attach/Exec Pod': ['k8s', 'mitre_execution', 'T1609'],
  'Disallowed K8s User': ['k8s', 'mitre_initial_access', 'T1078'],
  'K8s Serviceaccount Created': ['k8s', 'mitre_persistence', 'T1136'],
  'Write below binary dir': ['filesystem', 'mitre_persistence', 'T1543'],
  'Falco internal: syscall event drop': ['falco_internal'],
};

const CATALOG_TAGS: Record<string, string[]> = Object.fromEntries(
  Object.entries((catalog as { rules: Record<string, { tags: string[] }> }).rules).map(([rule, r]) => [rule, r.tags]),
);

export interface RuleKnowledge {
  known: boolean;
  tags: string[];
}

/** Tags Falco sent win; the catalog fills in for old alerts that carry none. */
export function ruleKnowledge(rule: string, alertTags: readonly string[] | undefined): RuleKnowledge {
  const known = CATALOG_TAGS[rule] ?? EXTRA_RULE_TAGS[rule];
  const tags = new Set([...(alertTags ?? []), ...(known ?? [])]);
  return { known: known !== undefined, tags: [...tags] };
}
