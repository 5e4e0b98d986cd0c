import type { Asset, ProposedAction, Severity } from '../../contracts';

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

export function proposeActions(severity: Severity, asset: Asset, tags: readonly string[]): ProposedAction[] {
  if (!asset.pod || !asset.namespace || SEVERITY_RANK[severity] < SEVERITY_RANK.low) return [];
  if (tags.includes('falco_internal')) return [];
  const target = { namespace: asset.namespace, pod: asset.pod };
  const onePod = { scope: 'pod' as const, pods: 1 };
  const actions: ProposedAction[] = [
    {
      id: 'quarantine-label',
      actionner: 'kubernetes:label',
      target,
      params: { labels: { 'vigil.dev/quarantine': 'true' } },
      blastRadius: onePod,
      rationale: 'Mark the pod so operators and policies can find and contain it.',
    },
  ];
  if (SEVERITY_RANK[severity] >= SEVERITY_RANK.high && tags.includes('network')) {
    actions.push({
      id: 'isolate-namespace',
      actionner: 'kubernetes:networkpolicy',
      target,
      params: { allowDns: false },
      blastRadius: { scope: 'namespace', pods: 0 },
      rationale: 'A network-borne finding may already have reached neighbours: cut the whole namespace off.',
    });
  } else if (SEVERITY_RANK[severity] >= SEVERITY_RANK.medium) {
    actions.push({
      id: 'isolate-pod',
      actionner: 'kubernetes:networkpolicy',
      target,
      params: { allowDns: false },
      blastRadius: onePod,
      rationale: 'Cut the pod off the network so it cannot reach other workloads or exfiltrate.',
    });
  }
  const deployment = deploymentOf(asset.pod);
  if (SEVERITY_RANK[severity] >= SEVERITY_RANK.critical && deployment) {
    actions.push({
      id: 'restart-workload',
      actionner: 'kubernetes:terminate',
      target: { ...target, workload: deployment },
      params: { gracePeriodSeconds: 0 },
      // The replica count is not in the alert: the scope says how far this reaches.
      blastRadius: { scope: 'workload', pods: 1 },
      rationale: 'Every replica runs the same template: replace them all, not just the pod that alerted.',
    });
  } else if (SEVERITY_RANK[severity] >= SEVERITY_RANK.critical) {
    actions.push({
      id: 'terminate-pod',
      actionner: 'kubernetes:terminate',
      target,
      params: { gracePeriodSeconds: 0 },
      blastRadius: onePod,
      rationale: 'Stop the running process tree; its controller restarts a clean pod.',
    });
  }
  return actions;
}
