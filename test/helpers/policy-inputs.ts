import type { AuthorityInput, VerdictInput } from '../../activities/review/verdict-engine';
import type { Asset, ProposedAction, Severity } from '../../contracts';

/**
 * A table of review-policy inputs, one per verdict path (every reject, escalate and mutation rule,
 * and auto-execute), complete as the review agent sends them. Used by the `vigil policy eval` vs
 * `opa eval` parity test and by the evaluation benchmark.
 */
const POD = 'web-7d9f8c6b5-x2x9q';

function step(id: string, actionner: string, over: Partial<ProposedAction> = {}): ProposedAction {
  return { id, actionner, target: { namespace: 'default', pod: POD }, params: {}, blastRadius: { scope: 'pod', pods: 1 }, rationale: '', ...over };
}
const label = step('quarantine-label', 'kubernetes:label', { params: { labels: { 'vigil.dev/quarantine': 'true' } } });
const isolate = step('isolate-pod', 'kubernetes:networkpolicy', { params: { allowDns: false } });
const terminate = step('terminate-pod', 'kubernetes:terminate', { params: { gracePeriodSeconds: 0 } });
const restart = step('restart-workload', 'kubernetes:terminate', { target: { namespace: 'default', pod: POD, workload: 'web' }, params: { gracePeriodSeconds: 0 }, blastRadius: { scope: 'workload', pods: 1 } });
const isolateNamespace = step('isolate-namespace', 'kubernetes:networkpolicy', { params: { allowDns: false }, blastRadius: { scope: 'namespace', pods: 0 } });

/** A reverse shell to an outside address: evidence enough to contain, so each case is about its own rule. */
const REVERSE_SHELL = {
  rule: 'Redirect STDOUT/STDIN to Network Connection in Container',
  priority: 'Warning',
  source: 'syscall',
  tags: ['container', 'network', 'mitre_execution', 'T1059'],
  fields: { 'proc.name': 'bash', 'proc.cmdline': 'bash -i', 'fd.rip': '203.0.113.50', 'fd.rport': 4242 },
};
const SHELL = { rule: 'Terminal shell in container', priority: 'Notice', source: 'syscall', tags: ['container', 'shell', 'mitre_execution', 'T1059'], fields: { 'proc.name': 'bash' } };

function input(o: {
  severity?: Severity;
  asset?: Asset;
  confidence?: number;
  actions: ProposedAction[];
  alert?: VerdictInput['alert'];
  extra?: Partial<VerdictInput>;
  llmFloor?: ProposedAction[];
}): VerdictInput {
  const severity = o.severity ?? 'medium';
  const analyser = o.llmFloor ? { kind: 'llm' as const, version: 'llm-1', model: 'parity' } : { kind: 'deterministic' as const, version: 'rules-2' };
  return {
    incident: { id: 'incident-parity', severity, asset: o.asset ?? { kind: 'pod', namespace: 'default', pod: POD } },
    alert: o.alert ?? REVERSE_SHELL,
    anomaly: { score: 0.87 },
    workload: { namespace: 'default', kind: 'Deployment', name: 'web' },
    now: '2026-12-01T20:00:00Z',
    ...o.extra,
    analysis: {
      severity,
      technique: { id: 'T1059', name: 'Command and Scripting Interpreter', tactic: 'execution' },
      confidence: o.confidence ?? 0.9,
      summary: 'parity input',
      actions: o.actions,
      ...(o.llmFloor ? { floor: o.llmFloor } : {}),
      analyser,
    },
  };
}

export const VERDICT_CASES: Array<{ name: string; input: VerdictInput }> = [
  { name: 'auto_execute: label at low', input: input({ severity: 'low', actions: [label] }) },
  { name: 'auto_execute: label and pod isolation at medium', input: input({ actions: [label, isolate] }) },
  { name: 'auto_reject: notify-only severity', input: input({ severity: 'info', actions: [label] }) },
  { name: 'auto_reject: nothing proposed', input: input({ actions: [] }) },
  { name: 'auto_reject: duplicate step ids', input: input({ actions: [label, { ...isolate, id: label.id }] }) },
  { name: 'escalate: low confidence', input: input({ confidence: 0.337, actions: [label] }) },
  {
    name: 'escalate: control-plane namespace',
    input: input({ asset: { kind: 'pod', namespace: 'kube-system', pod: 'kube-apiserver-cp1' }, actions: [step('l', 'kubernetes:label', { target: { namespace: 'kube-system', pod: 'kube-apiserver-cp1' } })] }),
  },
  {
    name: 'escalate: customer-facing workload',
    input: input({ asset: { kind: 'pod', namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q' }, actions: [step('l', 'kubernetes:label', { target: { namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q' } })] }),
  },
  { name: 'escalate: human-only step', input: input({ severity: 'critical', actions: [label, isolate, terminate] }) },
  { name: 'escalate: too many pods', input: input({ actions: [{ ...label, blastRadius: { scope: 'pod', pods: 12 } }] }) },
  { name: 'escalate: node-level step', input: input({ actions: [{ ...label, target: { namespace: 'default', node: 'worker-3' }, blastRadius: { scope: 'node', pods: 1 } }] }) },
  { name: 'escalate: not on the severity allow-list', input: input({ severity: 'low', actions: [label, isolate] }) },
  { name: 'escalate: several reasons at once', input: input({ severity: 'low', confidence: 0.2, asset: { kind: 'pod', namespace: 'kube-system', pod: 'p' }, actions: [{ ...isolate, target: { namespace: 'kube-system', pod: 'p' } }] }) },
  { name: 'mutation: workload restart becomes the proposed isolation', input: input({ severity: 'critical', actions: [label, isolate, restart] }) },
  { name: 'mutation: workload restart becomes isolation plus quarantine', input: input({ severity: 'critical', actions: [restart] }) },
  { name: 'mutation: namespace isolation narrowed to the pod', input: input({ severity: 'high', actions: [label, isolateNamespace] }) },
  { name: 'mutation kept under escalation for low confidence', input: input({ severity: 'critical', confidence: 0.41, actions: [label, restart] }) },
  { name: 'blocked: a step on the host alert\'s namespace is not its asset', input: input({ asset: { kind: 'host', node: 'worker-3' }, actions: [{ ...isolateNamespace, target: { namespace: 'default' } }] }) },
  { name: 'blocked: a step on another pod', input: input({ actions: [{ ...label, target: { namespace: 'default', pod: 'someone-else' } }] }) },
  { name: 'blocked: a label releasing the quarantine', input: input({ actions: [{ ...label, params: { labels: { 'vigil.dev/quarantine': 'false' } } }] }) },
  { name: 'auto_reject: a first shell, anomalous and inside policy, is not evidence', input: input({ severity: 'low', alert: SHELL, actions: [label] }) },
  { name: 'escalate: inconclusive evidence (credential read)', input: input({ alert: { ...SHELL, rule: 'Read sensitive file untrusted', priority: 'Warning', tags: ['mitre_credential_access', 'T1555'] }, actions: [label] }) },
  {
    name: 'auto_execute: the shell joined by a credential read and a dropped binary',
    input: input({
      severity: 'low',
      alert: SHELL,
      actions: [label],
      extra: {
        chain: [
          { rule: 'Read sensitive file untrusted', priority: 'Warning', tags: ['mitre_credential_access'] },
          { rule: 'Drop and execute new binary in container', priority: 'Critical', tags: ['mitre_persistence'] },
        ],
      },
    }),
  },
  { name: 'escalate: a model that proposed nothing gets the floor', input: input({ actions: [], llmFloor: [label, isolate] }) },
  { name: 'auto_execute: a model that covers the floor', input: input({ actions: [label, isolate], llmFloor: [label, isolate] }) },
];

/** Data beside the config that some cases need (suppressions), applied by the tests that build with it. */
export const SUPPRESSION_CASE = {
  suppression: { id: 'web-shell', workload: { namespace: 'default', name: 'web' }, rule: 'Terminal shell in container', process: 'bash', author: 'alice', reason: 'debug shells are normal on web', expires: '2027-01-01T00:00:00Z' },
  input: input({ severity: 'low', alert: SHELL, actions: [label] }),
};

function ask(analyst: string, requiredRole: string, asset: Asset, decision: 'approve' | 'reject' = 'approve', over: Partial<AuthorityInput> = {}): AuthorityInput {
  return { decision: { decision, analyst, reason: 'parity' }, signed: true, requiredRole, asset, severity: 'high', actions: ['kubernetes:label'], incidentId: 'incident-parity', ...over };
}

export const DECISION_CASES: Array<{ name: string; input: AuthorityInput }> = [
  { name: 'senior decides senior work', input: ask('alice', 'senior', { kind: 'pod', namespace: 'default', pod: 'p' }) },
  { name: 'analyst decides analyst work', input: ask('carol', 'analyst', { kind: 'pod', namespace: 'default', pod: 'p' }, 'reject') },
  { name: 'junior refused senior work', input: ask('bob', 'senior', { kind: 'pod', namespace: 'default', pod: 'p' }) },
  { name: 'unknown analyst refused', input: ask('mallory', 'analyst', { kind: 'pod', namespace: 'default', pod: 'p' }) },
  { name: 'own team refused', input: ask('bob', 'analyst', { kind: 'pod', namespace: 'payments', pod: 'p' }) },
  { name: 'protected asset raises the role', input: ask('carol', 'analyst', { kind: 'pod', namespace: 'shop', pod: 'web-frontend-7c9d8b6f5-abcde' }) },
  { name: 'unsigned decision refused', input: ask('alice', 'senior', { kind: 'pod', namespace: 'default', pod: 'p' }, 'approve', { signed: false }) },
  {
    name: 'terminate on a customer-facing workload needs two seniors',
    input: ask('alice', 'senior', { kind: 'pod', namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q' }, 'approve', { actions: ['kubernetes:label', 'kubernetes:terminate'] }),
  },
];
