import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { INCIDENT_ANNOTATION, PREFLIGHT_RBAC } from '../../actionner';

const LabelValue = z.string().max(63).regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'not a valid label value');
const LabelKey = z.string().max(253).regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'not a valid label key');

export const labelActionner: Actionner<{ labels: Record<string, string> }> = {
  name: 'kubernetes:label',
  description: 'Adds labels (by default a quarantine label) to the pod, so policies and people can find it.',
  phase: 'containment',
  params: z.object({ labels: z.record(LabelKey, LabelValue).refine((l) => Object.keys(l).length > 0, 'at least one label') }),
  rbac: [...PREFLIGHT_RBAC, { apiGroups: [''], resources: ['pods'], verbs: ['patch'] }],
  example: { labels: { 'vigil.dev/quarantine': 'true' } },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:label needs a pod target'),
  plan: (action, params, ctx) => [
    {
      verb: 'patch',
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: action.target.namespace,
      name: action.target.pod ?? '',
      body: { metadata: { labels: params.labels, annotations: { [INCIDENT_ANNOTATION]: ctx.incidentId } } },
    },
  ],
};
