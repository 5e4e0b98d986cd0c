import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { PREFLIGHT_RBAC } from '../../actionner';
import { isHealthy } from '../../preflight';

export const terminateActionner: Actionner<{ gracePeriodSeconds: number }> = {
  name: 'kubernetes:terminate',
  description: 'Deletes the pod; its controller (if any) starts a clean replacement. Never a DaemonSet pod or the last healthy replica.',
  phase: 'containment',
  params: z.object({ gracePeriodSeconds: z.number().int().min(0).max(3600).default(0) }),
  rbac: [...PREFLIGHT_RBAC, { apiGroups: [''], resources: ['pods'], verbs: ['delete'] }],
  example: { gracePeriodSeconds: 0 },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:terminate needs a pod target'),
  guard: (live, _params, guards) => {
    if (live.workload?.kind === 'DaemonSet') return { code: 'daemonset_pod', reason: `pod belongs to DaemonSet ${live.workload.name}, which would only recreate it on the same node` };
    const healthy = live.record.healthyReplicas ?? 0;
    const remaining = healthy - (isHealthy(live.pod) ? 1 : 0);
    if (remaining < guards.minHealthyReplicas) {
      return { code: 'last_healthy_replica', reason: `${remaining} healthy replica(s) would remain, policy needs ${guards.minHealthyReplicas} (${guards.source})` };
    }
    return null;
  },
  plan: (action, params) => [
    {
      verb: 'delete',
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: action.target.namespace,
      name: action.target.pod ?? '',
      body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: params.gracePeriodSeconds },
    },
  ],
};
