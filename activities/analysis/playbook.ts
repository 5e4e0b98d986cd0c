import type { ActionTarget, Asset, BlastRadius, ProposedAction, Severity } from '../../contracts';

/**
 * Which response steps to propose for a finding. Proposals are deliberately generous for severe
 * findings: the review policy, not this table, decides what actually runs.
 */
const SEVERITY_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** A Deployment's pod is `<deployment>-<pod-template-hash>-<5 chars>`, both suffixes from Kubernetes' safe alphabet. */
const DEPLOYMENT_POD = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

export function deploymentOf(pod: string): string | undefined {
  return DEPLOYMENT_POD.exec(pod)?.[1];
}

type Step = Pick<ProposedAction, 'id' | 'actionner' | 'target' | 'params' | 'blastRadius' | 'rationale'>;
const step = (id: string, actionner: string, target: ActionTarget, params: Step['params'], blastRadius: BlastRadius, rationale: string): ProposedAction => ({
  id,
  actionner,
  target,
  params,
  blastRadius,
  rationale,
});

export function proposeActions(severity: Severity, asset: Asset, tags: readonly string[]): ProposedAction[] {
  if (!asset.pod || !asset.namespace || SEVERITY_RANK[severity] < SEVERITY_RANK.low) return [];
  if (tags.includes('falco_internal')) return [];
  const target = { namespace: asset.namespace, pod: asset.pod };
  const onePod = { scope: 'pod' as const, pods: 1 };
  const atLeast = (s: Severity) => SEVERITY_RANK[severity] >= SEVERITY_RANK[s];
  const actions = [step('quarantine-label', 'kubernetes:label', target, { labels: { 'vigil.dev/quarantine': 'true' } }, onePod, 'Mark the pod so operators and policies can find and contain it.')];
  if (atLeast('high') && tags.includes('network')) {
    const why = 'A network-borne finding may already have reached neighbours: cut the whole namespace off.';
    actions.push(step('isolate-namespace', 'kubernetes:networkpolicy', target, { allowDns: false }, { scope: 'namespace', pods: 0 }, why));
  } else if (atLeast('medium')) {
    const why = 'Cut the pod off the network so it cannot reach other workloads or exfiltrate.';
    actions.push(step('isolate-pod', 'kubernetes:networkpolicy', target, { allowDns: false }, onePod, why));
  }
  const deployment = deploymentOf(asset.pod);
  if (atLeast('critical') && deployment) {
    // The replica count is not in the alert: the scope says how far this reaches.
    const why = 'Every replica runs the same template: replace them all, not just the pod that alerted.';
    actions.push(step('restart-workload', 'kubernetes:terminate', { ...target, workload: deployment }, { gracePeriodSeconds: 0 }, { scope: 'workload', pods: 1 }, why));
  } else if (atLeast('critical')) {
    const why = 'Stop the running process tree; its controller restarts a clean pod.';
    actions.push(step('terminate-pod', 'kubernetes:terminate', target, { gracePeriodSeconds: 0 }, onePod, why));
  }
  return actions;
}
