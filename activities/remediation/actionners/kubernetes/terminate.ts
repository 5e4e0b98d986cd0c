import { z } from 'zod';
import type { Actionner } from '../../actionner';

export const terminateActionner: Actionner<{ gracePeriodSeconds: number }> = {
  name: 'kubernetes:terminate',
  description: 'Deletes the pod; its controller (if any) starts a clean replacement.',
  params: z.object({ gracePeriodSeconds: z.number().int().min(0).max(3600).default(0) }),
  rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] }],
  example: { gracePeriodSeconds: 0 },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:terminate needs a pod target'),
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
