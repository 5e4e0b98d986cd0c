import { z } from 'zod';
import type { Actionner } from '../../actionner';
import { ACTION_ANNOTATION, INCIDENT_ANNOTATION, objectSuffix, PREFLIGHT_RBAC } from '../../actionner';

/** Where in-cluster DNS answers: the one egress an isolated pod may keep, when policy allows it. */
const DNS_EGRESS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

/**
 * Isolates one pod: labels it with an incident-specific key and applies a deny-all NetworkPolicy
 * selecting that label. We cannot select by the pod's own labels: siblings share them.
 */
export const networkPolicyActionner: Actionner<{ allowDns?: boolean }> = {
  name: 'kubernetes:networkpolicy',
  description: 'Cuts a pod off the network with a deny-all NetworkPolicy (DNS stays open only when policy data allows it).',
  phase: 'containment',
  // allowDns may only narrow what policy allows (remediation.allow_dns_egress), never widen it.
  params: z.object({ allowDns: z.boolean().optional() }),
  rbac: [
    ...PREFLIGHT_RBAC,
    { apiGroups: [''], resources: ['pods'], verbs: ['patch'] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'create', 'patch', 'delete'] },
  ],
  example: { allowDns: false },
  preflight: (action) => (action.target.pod ? null : 'kubernetes:networkpolicy isolates a single pod and needs a pod target'),
  plan: (action, params, ctx) => {
    const suffix = objectSuffix(ctx.idempotencyKey);
    const selector = { 'vigil.dev/isolated': suffix };
    const name = `vigil-isolate-${suffix}`;
    const allowDns = ctx.guards.allowDnsEgress && params.allowDns !== false;
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
        verb: 'apply',
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: action.target.namespace,
        name,
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: {
            name,
            namespace: action.target.namespace,
            labels: { 'app.kubernetes.io/managed-by': 'vigil' },
            annotations: { [INCIDENT_ANNOTATION]: ctx.incidentId, [ACTION_ANNOTATION]: ctx.idempotencyKey },
          },
          spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: allowDns ? [DNS_EGRESS] : [] },
        },
      },
    ];
  },
};
