import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { PREFLIGHT_RBAC } from '../../actionner';

/**
 * Captures what containment is about to change: the pod's manifest, its owner chain, recent
 * events and container logs (where the API server can get them from a kubelet), into one
 * artifact whose sha256 is in the outcome. Runs before every containment step.
 */
export const evidenceActionner: Actionner<{ tailLines: number }> = {
  name: 'kubernetes:evidence',
  description: "Captures the pod's manifest, owner chain, recent events and logs as an artifact (sha256 in the outcome) before containment.",
  phase: 'evidence',
  params: z.object({ tailLines: z.number().int().min(1).max(10_000).default(500) }),
  rbac: [
    ...PREFLIGHT_RBAC,
    { apiGroups: [''], resources: ['events'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  ],
  example: { tailLines: 500 },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:evidence needs a pod target'),
  plan: (action, params) => [
    { verb: 'capture', apiVersion: 'v1', kind: 'Pod', namespace: action.target.namespace, name: action.target.pod ?? '', body: { manifest: true, owners: true, events: true, logs: { tailLines: params.tailLines } } },
  ],
};
