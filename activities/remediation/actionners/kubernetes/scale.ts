import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { INCIDENT_ANNOTATION, PREFLIGHT_RBAC } from '../../actionner';

const SCALABLE = ['Deployment', 'StatefulSet'];

/** Takes the pod's whole workload down; the replica count it replaced is recorded for the revert. */
export const scaleActionner: Actionner<Record<string, never>> = {
  name: 'kubernetes:scale',
  description: "Scales the pod's owning Deployment or StatefulSet to zero replicas (the previous count is recorded and restored on revert).",
  phase: 'containment',
  params: z.object({}).strict(),
  rbac: [...PREFLIGHT_RBAC, { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['patch'] }],
  example: {},
  preflight: (action) => (action.target.pod ? null : 'kubernetes:scale finds the workload from its pod and needs a pod target'),
  guard: (live) =>
    live.workload && SCALABLE.includes(live.workload.kind)
      ? null
      : { code: 'not_scalable', reason: `the pod's owner is ${live.workload ? `${live.workload.kind} ${live.workload.name}` : 'nothing (a bare pod)'}, not a Deployment or StatefulSet` },
  plan: (action, _params, ctx) => [
    {
      verb: 'patch',
      apiVersion: 'apps/v1',
      kind: ctx.live?.workload?.kind ?? 'Deployment',
      namespace: action.target.namespace,
      // Without a live target (local dry-run) the workload is only what the proposer named.
      name: ctx.live?.workload?.name ?? action.target.workload ?? `(owner of ${action.target.pod ?? '?'})`,
      body: { metadata: { annotations: { [INCIDENT_ANNOTATION]: ctx.incidentId } }, spec: { replicas: 0 } },
    },
  ],
};
