import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { INCIDENT_ANNOTATION, PREFLIGHT_RBAC } from '../../actionner';

/** Keeps new pods off the node the compromised pod runs on; what runs there keeps running. */
export const cordonActionner: Actionner<Record<string, never>> = {
  name: 'kubernetes:cordon',
  description: "Cordons the pod's node (unschedulable) so nothing new lands on it; revert uncordons it.",
  phase: 'containment',
  params: z.object({}).strict(),
  // Nodes are cluster-scoped: only a ClusterRole (remediation.rbac.namespaces empty) can grant this.
  rbac: [...PREFLIGHT_RBAC, { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] }],
  example: {},
  preflight: (action) => (action.target.pod || action.target.node ? null : 'kubernetes:cordon needs a pod (or node) target'),
  guard: (live) => (live.record.pod.node ? null : { code: 'no_node', reason: 'the pod is not scheduled on any node' }),
  plan: (action, _params, ctx) => [
    {
      verb: 'patch',
      apiVersion: 'v1',
      kind: 'Node',
      name: ctx.live?.record.pod.node ?? action.target.node ?? `(node of ${action.target.pod ?? '?'})`,
      body: { metadata: { annotations: { [INCIDENT_ANNOTATION]: ctx.incidentId } }, spec: { unschedulable: true } },
    },
  ],
};
