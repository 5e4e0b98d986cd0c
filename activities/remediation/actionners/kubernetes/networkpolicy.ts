import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { objectSuffix } from '../../actionner';

/**
 * Isolates one pod: labels it with an incident-specific key and creates a deny-all NetworkPolicy
 * selecting that label. We cannot select by the pod's own labels: siblings share them.
 */
export const networkPolicyActionner: Actionner<{ allowDns: boolean }> = {
  name: 'kubernetes:networkpolicy',
  description: 'Cuts a pod off the network with a deny-all NetworkPolicy (optionally still allowing DNS).',
  params: z.object({ allowDns: z.boolean().default(false) }),
  rbac: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch'] },
  ],
  example: { allowDns: false },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:networkpolicy isolates a single pod and needs a pod target'),
  plan: (action, params, ctx) => {
    const suffix = objectSuffix(ctx.idempotencyKey);
    const selector = { 'vigil.dev/isolated': suffix };
    const egress = params.allowDns
      ? [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]
      : [];
    return [
      {
        verb: 'patch',
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: action.target.namespace,
        name: action.target.pod ?? '',
        body: { metadata: { labels: selector } },
      },
      {
        verb: 'create',
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: action.target.namespace,
        name: `vigil-isolate-${suffix}`,
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: {
            name: `vigil-isolate-${suffix}`,
            namespace: action.target.namespace,
            labels: { 'app.kubernetes.io/managed-by': 'vigil' },
            annotations: { 'vigil.dev/incident': ctx.incidentId, 'vigil.dev/action': ctx.idempotencyKey },
          },
          spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress },
        },
      },
    ];
  },
};
