import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseDeterministically } from '../../../activities/analysis/deterministic-analyser';
import type { PolicyBundle } from '../../../activities/review/policy-bundle';
import { loadPolicyBundle } from '../../../activities/review/policy-bundle';
import type { VerdictInput } from '../../../activities/review/verdict-engine';
import { evaluateAuthority, evaluateVerdict, verdictInput } from '../../../activities/review/verdict-engine';
import { FALLBACK_ENTRYPOINTS } from '../../../activities/review/policy-bundle';
import type { FalcoAlert, ProposedAction, Severity, Verdict } from '../../../contracts';
import { assetOf, VerdictSchema } from '../../../contracts';
import { anomalyOf, byRule, evidentAlert, exampleAlert } from '../../helpers/fixtures';
import { buildBundle, builtBundleDir, policySourceWith } from '../../helpers/policy-bundles';

/** Real Rego compiled to wasm by scripts/build-policy.sh, evaluated the way the review worker does (worker thread). */
let bundle: PolicyBundle;
beforeAll(async () => {
  bundle = await loadPolicyBundle(builtBundleDir());
});
afterAll(() => bundle?.retire());

function verdictFor(alert: FalcoAlert, b: PolicyBundle | null = bundle) {
  const anomaly = anomalyOf(alert);
  const analysis = analyseDeterministically(anomaly);
  return evaluateVerdict(b, verdictInput('incident-test', anomaly, analysis, assetOf(alert)));
}

const step = (id: string, actionner: string, over: Partial<ProposedAction> = {}): ProposedAction => ({
  id,
  actionner,
  target: { namespace: 'default', pod: 'web-7d9f8c6b5-x2x9q' },
  params: {},
  blastRadius: { scope: 'pod', pods: 1 },
  rationale: '',
  ...over,
});
const label = step('quarantine-label', 'kubernetes:label', { params: { labels: { 'vigil.dev/quarantine': 'true' } } });
const isolate = step('isolate-pod', 'kubernetes:networkpolicy', { params: { allowDns: false } });
const terminate = step('terminate-pod', 'kubernetes:terminate');

function input(o: { severity?: Severity; namespace?: string; pod?: string; confidence?: number; actions: ProposedAction[] }): VerdictInput {
  const severity = o.severity ?? 'medium';
  return {
    incident: { id: 'incident-test', severity, asset: { kind: 'pod', namespace: o.namespace ?? 'default', pod: o.pod ?? 'web-7d9f8c6b5-x2x9q' } },
    // A container escape: evidence enough to contain unattended, so each case is about its own rule.
    alert: { rule: 'Detect release_agent File Container Escapes', priority: 'Critical', source: 'syscall', tags: ['container', 'mitre_privilege_escalation', 'T1611'], fields: {} },
    anomaly: { score: 0.9 },
    analysis: {
      severity,
      technique: null,
      confidence: o.confidence ?? 0.9,
      summary: 'test',
      actions: o.actions,
      analyser: { kind: 'deterministic', version: 'test' },
    },
  };
}
const codes = (v: Verdict) => v.reasons.map((r) => r.code).sort();

describe('review verdicts from the wasm policy, one per path', () => {
  it('auto-executes a quarantine label for a low-severity reverse shell to an outside address', async () => {
    const v = await verdictFor(evidentAlert());
    expect(VerdictSchema.safeParse(v).success).toBe(true);
    expect(v.outcome).toBe('auto_execute');
    expect(codes(v)).toEqual(['within_policy']);
    expect(v.allowedActions.map((a) => a.actionner)).toEqual(['kubernetes:label']);
    expect(v.evidence?.findings.map((f) => f.code).sort()).toEqual(['anomaly_score', 'priority', 'reverse_shell', 'tactic']);
    expect(v.policyVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(v.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('notifies and closes the same shell without the outside peer: anomalous and inside policy is not enough', async () => {
    const v = await verdictFor(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default')));
    expect(v.outcome).toBe('auto_reject');
    expect(codes(v)).toEqual(['insufficient_evidence']);
    expect(v.allowedActions).toEqual([]);
  });

  it('does not contain a GitOps controller talking to the API server', async () => {
    const argo: FalcoAlert = {
      ...exampleAlert(byRule('Contact K8S API Server From Container')),
      output_fields: { 'k8s.ns.name': 'argocd', 'k8s.pod.name': 'argocd-application-controller-0', 'proc.name': 'argocd-application', 'fd.sip': '10.96.0.1', 'fd.sport': 443 },
    };
    const anomaly = anomalyOf(argo);
    const analysis = analyseDeterministically(anomaly);
    expect(analysis.confidence).toBeLessThan(0.6);
    const v = await evaluateVerdict(bundle, verdictInput('incident-test', anomaly, analysis, assetOf(argo)));
    expect(v.outcome).toBe('auto_reject');
  });

  it('adds up the chain of one intrusion: a shell joined by a credential read and a dropped binary is contained', async () => {
    const shell = exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default'));
    const anomaly = anomalyOf(shell);
    const chain: FalcoAlert[] = [
      { ...shell, rule: 'Read sensitive file untrusted', priority: 'Warning', tags: ['mitre_credential_access', 'T1555'] },
      { ...shell, rule: 'Drop and execute new binary in container', priority: 'Critical', tags: ['mitre_persistence', 'TA0003'] },
    ];
    const alone = await evaluateVerdict(bundle, verdictInput('incident-test', anomaly, analyseDeterministically(anomaly), assetOf(shell)));
    const together = await evaluateVerdict(bundle, verdictInput('incident-test', anomaly, analyseDeterministically(anomaly), assetOf(shell), { chain }));
    expect([alone.outcome, together.outcome]).toEqual(['auto_reject', 'auto_execute']);
    expect(together.evidence?.findings.map((f) => f.code)).toContain('chain');
  });

  it('honours an unexpired suppression for the workload, rule and process, and counts it', async () => {
    const alert = evidentAlert();
    const anomaly = anomalyOf(alert);
    const input = verdictInput('incident-test', anomaly, analyseDeterministically(anomaly), assetOf(alert), { now: new Date('2026-12-01T20:00:00.123Z') });
    expect(input.now).toBe('2026-12-01T20:00:00Z');
    expect(input.workload).toEqual({ namespace: 'default', kind: 'Pod', name: 'alpine' });
    // The outside peer is a known-bad indicator, which no suppression hides; without it the rule alone is suppressed.
    const benign = { ...input, alert: { ...input.alert, fields: { 'proc.name': 'sh' } } };
    const suppression = { id: 'alpine-shell', workload: { namespace: 'default', name: 'alpine' }, rule: alert.rule, process: 'sh', author: 'alice', reason: 'debug pod', expires: '2026-12-02T00:00:00Z' };
    const src = policySourceWith((c) => c, undefined, { suppressions: [suppression] });
    const out = mkdtempSync(join(tmpdir(), 'vigil-suppressed-'));
    await buildBundle(src, out);
    const b = await loadPolicyBundle(out);
    try {
      const v = await evaluateVerdict(b, benign);
      expect(v.outcome).toBe('auto_reject');
      expect(v.suppressions).toEqual(['alpine-shell']);
      expect(codes(v)).toEqual(['insufficient_evidence', 'suppressed']);
      expect((await evaluateVerdict(b, input)).outcome).toBe('auto_execute');
      const expired = await evaluateVerdict(b, { ...benign, now: '2026-12-02T00:00:00Z' });
      expect([codes(expired), expired.suppressions]).toEqual([['insufficient_evidence'], []]);
    } finally {
      b.retire();
    }
  });

  it.each([
    ['notify-only severity', input({ severity: 'info', actions: [label] }), ['notify_only']],
    ['no proposed step', input({ actions: [] }), ['no_actions']],
    ['two steps with one id', input({ actions: [label, { ...isolate, id: 'quarantine-label' }] }), ['duplicate_action_id']],
  ])('auto-rejects: %s', async (_name, inp, expected) => {
    const v = await evaluateVerdict(bundle, inp);
    expect(v.outcome).toBe('auto_reject');
    expect(codes(v)).toEqual(expected);
    expect(v.allowedActions).toEqual([]);
    expect(v.rejectedActions).toHaveLength(inp.analysis.actions.length);
    expect(v.escalation).toBeNull();
  });

  it.each([
    ['low confidence', input({ confidence: 0.3, actions: [label] }), ['low_confidence'], 'analyst'],
    ['control-plane namespace', input({ namespace: 'kube-system', pod: 'p', actions: [{ ...label, target: { namespace: 'kube-system', pod: 'p' } }] }), ['protected_asset'], 'senior'],
    ['customer-facing workload', input({ namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q', actions: [{ ...label, target: { namespace: 'shop', pod: 'checkout-5d8f9c7b6-x2x9q' } }] }), ['customer_facing'], 'senior'],
    ['human-only step', input({ severity: 'critical', actions: [label, terminate] }), ['human_only_action'], 'senior'],
    ['too many pods', input({ actions: [{ ...label, blastRadius: { scope: 'pod', pods: 4 } }] }), ['blast_radius'], 'analyst'],
    ['step not allowed at this severity', input({ severity: 'low', actions: [isolate] }), ['not_allowed_for_severity'], 'analyst'],
  ])('escalates: %s', async (_name, inp, expected, role) => {
    const v = await evaluateVerdict(bundle, inp);
    expect(v.outcome).toBe('escalate');
    expect(codes(v)).toEqual(expected);
    expect(v.escalation?.requiredRole).toBe(role);
    expect(v.allowedActions).toEqual(inp.analysis.actions);
  });

  it.each([
    ['a node-level step', { ...label, target: { namespace: 'default', node: 'n1' }, blastRadius: { scope: 'node' as const, pods: 1 } }, ['target_not_asset']],
    ['another pod', { ...label, target: { namespace: 'default', pod: 'someone-else' } }, ['target_not_asset']],
    ['a label releasing the quarantine', { ...label, params: { labels: { 'vigil.dev/quarantine': 'false' } } }, ['label_not_quarantine']],
    ['a label overriding Vigil', { ...label, params: { labels: { 'vigil.dev/quarantine': 'true', 'vigil.dev/exempt': 'true' } } }, ['label_not_quarantine']],
  ])('blocks %s: escalates to a senior, and an approval would not run it', async (_name, bad, expected) => {
    const v = await evaluateVerdict(bundle, input({ actions: [bad] }));
    expect(v.outcome).toBe('escalate');
    expect(codes(v)).toEqual(expected);
    expect(v.escalation?.requiredRole).toBe('senior');
    expect(v.allowedActions).toEqual([]);
    expect(v.rejectedActions.map((r) => r.action)).toEqual([bad]);
    expect(v.flagged.map((f) => f.disposition)).toEqual(['blocked']);
  });

  it('escalates a model that proposed nothing, with the rule analyser\'s floor to approve', async () => {
    const floor = [label, isolate];
    const inp = input({ actions: [] });
    const v = await evaluateVerdict(bundle, { ...inp, analysis: { ...inp.analysis, floor, analyser: { kind: 'llm', version: 't' } } });
    expect(v.outcome).toBe('escalate');
    expect(codes(v)).toEqual(['below_floor']);
    expect(v.allowedActions).toEqual(floor);
  });

  it('takes the escalation deadline, its outcome and re-paging from data, per severity', async () => {
    const critical = await evaluateVerdict(bundle, input({ severity: 'critical', actions: [label, terminate] }));
    expect(critical.escalation).toEqual({ timeoutSeconds: 900, onTimeout: 'auto_reject', repage: true, requiredRole: 'senior' });
    const low = await evaluateVerdict(bundle, input({ severity: 'low', confidence: 0.1, actions: [label] }));
    expect(low.escalation).toEqual({ timeoutSeconds: 86400, onTimeout: 'auto_reject', repage: false, requiredRole: 'analyst' });
  });
});

describe('step mutation', () => {
  const restart = step('restart-workload', 'kubernetes:terminate', {
    target: { namespace: 'default', pod: 'web-7d9f8c6b5-x2x9q', workload: 'web' },
    blastRadius: { scope: 'workload', pods: 1 },
  });

  it('rewrites terminating a Deployment into isolating its compromised pod, and runs that', async () => {
    const v = await evaluateVerdict(bundle, input({ severity: 'critical', actions: [label, isolate, restart] }));
    expect(v.outcome).toBe('auto_execute');
    expect(codes(v)).toEqual(['step_mutated', 'within_policy']);
    expect(v.allowedActions).toEqual([label, isolate]);
    expect(v.mutations).toEqual([expect.objectContaining({ actionId: 'restart-workload', code: 'contain_instead_of_terminate', from: restart, to: isolate, added: [] })]);
    expect(v.flagged).toEqual([{ actionId: 'restart-workload', codes: ['blast_radius', 'human_only_action'], disposition: 'mutated' }]);
  });

  it('adds the isolation and the quarantine label when the proposal had neither', async () => {
    const v = await evaluateVerdict(bundle, input({ severity: 'critical', actions: [restart] }));
    expect(v.outcome).toBe('auto_execute');
    expect(v.allowedActions.map((a) => [a.id, a.actionner, a.blastRadius.scope])).toEqual([
      ['restart-workload', 'kubernetes:networkpolicy', 'pod'],
      ['restart-workload-quarantine', 'kubernetes:label', 'pod'],
    ]);
    expect(v.mutations[0]?.added).toEqual([v.allowedActions[1]]);
  });

  it('narrows namespace-wide isolation proposed by the playbook for a network finding to the pod', async () => {
    const alert = exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'));
    const reverseShell: FalcoAlert = {
      ...alert,
      rule: 'Redirect STDOUT/STDIN to Network Connection in Container',
      priority: 'Error',
      tags: ['container', 'network', 'process', 'mitre_execution', 'T1059'],
      output_fields: { ...alert.output_fields, 'fd.rip': '203.0.113.50', 'fd.rport': 4242 },
    };
    const v = await verdictFor(reverseShell);
    expect(v.outcome).toBe('auto_execute');
    expect(v.mutations.map((m) => [m.code, m.from.blastRadius.scope, m.to.blastRadius.scope])).toEqual([['narrow_isolation_to_pod', 'namespace', 'pod']]);
    expect(v.allowedActions.map((a) => a.id)).toEqual(['quarantine-label', 'isolate-namespace']);
    expect(v.flagged.map((f) => f.disposition)).toEqual(['mutated']);
  });

  it('keeps a mutated step under escalation when something else needs a human', async () => {
    const v = await evaluateVerdict(bundle, input({ severity: 'critical', confidence: 0.2, actions: [label, restart] }));
    expect(v.outcome).toBe('escalate');
    expect(codes(v)).toEqual(['low_confidence', 'step_mutated']);
    expect(v.allowedActions.map((a) => a.actionner)).toEqual(['kubernetes:label', 'kubernetes:networkpolicy']);
  });

  it('reports a flagged step that is not rewritten as passed on to the analyst, or blocked when rejected', async () => {
    const escalated = await evaluateVerdict(bundle, input({ severity: 'critical', actions: [label, terminate] }));
    expect(escalated.flagged).toEqual([{ actionId: 'terminate-pod', codes: ['human_only_action'], disposition: 'passed' }]);
    const rejected = await evaluateVerdict(bundle, input({ severity: 'info', actions: [terminate] }));
    expect(rejected.flagged).toEqual([{ actionId: 'terminate-pod', codes: ['human_only_action'], disposition: 'blocked' }]);
    expect(rejected.mutations).toEqual([]);
  });
});

describe('fail closed', () => {
  const alert = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice'));
  const fake = (evaluate: () => Promise<unknown>): PolicyBundle => ({ version: 'fake', evaluate, retire: () => undefined });
  const terms = { outcome: 'escalate', reasons: [{ code: 'x', message: 'y' }], allowedActions: [], rejectedActions: [], mutations: [], flagged: [], escalation: null, evidence: { weight: 0, findings: [] }, suppressions: [] };

  it.each([
    ['no bundle', null, 'no policy bundle is loaded'],
    ['evaluation throws an Error', fake(() => Promise.reject(new Error('wasm trap'))), 'policy evaluation failed: wasm trap'],
    ['evaluation throws a string (as opa-wasm does)', fake(() => Promise.reject('entrypoint x is not valid')), 'policy evaluation failed: entrypoint x is not valid'],
    ['undefined result', fake(() => Promise.resolve(undefined)), 'policy returned no result (undefined)'],
    ['malformed result', fake(() => Promise.resolve({ outcome: 'yes_please' })), 'policy returned a malformed verdict'],
    ['escalate without terms', fake(() => Promise.resolve(terms)), 'policy escalated without escalation terms'],
  ])('%s escalates with policy_error and never executes', async (_name, b, message) => {
    const v = await verdictFor(alert(), b);
    expect(v.outcome).toBe('escalate');
    expect(v.reasons).toEqual([
      { code: 'policy_error', message: expect.stringContaining(message) },
      { code: 'no_steps', message: expect.stringContaining('approving runs nothing') },
    ]);
    // The mutated steps cannot be had from a bundle that fails everything: an approval runs nothing, never the raw proposals.
    expect(v.allowedActions).toEqual([]);
    expect(v.escalation).toMatchObject({ requiredRole: 'senior', onTimeout: 'auto_reject' });
    expect(v.policyVersion).toBe(b ? 'fake' : 'none');
  });

  it('escalates the mutated steps, not the raw proposals, when only the verdict fails', async () => {
    const restart = step('restart-workload', 'kubernetes:terminate', { target: { namespace: 'default', pod: 'web-7d9f8c6b5-x2x9q', workload: 'web' }, blastRadius: { scope: 'workload', pods: 1 } });
    const verdictBroken: PolicyBundle = {
      version: 'half-broken',
      evaluate: (entrypoint, inp) => (entrypoint === FALLBACK_ENTRYPOINTS.steps ? bundle.evaluate(entrypoint, inp) : Promise.reject(new Error('wasm trap'))),
      retire: () => undefined,
    };
    const v = await evaluateVerdict(verdictBroken, input({ severity: 'critical', actions: [restart] }));
    expect(v.outcome).toBe('escalate');
    expect(codes(v)).toEqual(['policy_error']);
    expect(v.allowedActions.map((a) => [a.id, a.actionner, a.blastRadius.scope])).toEqual([
      ['restart-workload', 'kubernetes:networkpolicy', 'pod'],
      ['restart-workload-quarantine', 'kubernetes:label', 'pod'],
    ]);
  });

  it('tells the failure hook what kind of failure it was', async () => {
    const kinds: string[] = [];
    await evaluateVerdict(null, input({ actions: [label] }), { onFailure: (_e, k) => kinds.push(k) });
    await evaluateVerdict(fake(() => Promise.resolve(undefined)), input({ actions: [label] }), { onFailure: (_e, k) => kinds.push(k) });
    expect(kinds).toEqual(['no_bundle', 'undefined']);
  });

  const authorityInput = { decision: { decision: 'approve' as const, analyst: 'alice', reason: '' }, signed: true, requiredRole: 'analyst', asset: { kind: 'pod' as const, namespace: 'default', pod: 'p' }, severity: 'low' as const, actions: [], incidentId: 'incident-unit' };

  it.each([
    ['no bundle', null],
    ['evaluation throws', fake(() => Promise.reject(new Error('boom')))],
    ['undefined result', fake(() => Promise.resolve(undefined))],
    ['malformed result', fake(() => Promise.resolve({ allowed: 'yes' }))],
    ['allowed with reasons', fake(() => Promise.resolve({ allowed: true, reasons: [{ code: 'x', message: 'y' }] }))],
  ])('refuses a decision when the authority policy fails: %s', async (_name, b) => {
    const r = await evaluateAuthority(b, authorityInput);
    expect(r.allowed).toBe(false);
    expect(r.reasons[0]?.code).toBe('policy_error');
  });
});

describe('analyst authority', () => {
  const ask = (analyst: string, requiredRole: string, namespace: string, pod = 'p') =>
    evaluateAuthority(bundle, { decision: { decision: 'approve', analyst, reason: '' }, signed: true, requiredRole, asset: { kind: 'pod', namespace, pod }, severity: 'high', actions: [], incidentId: 'incident-unit' });

  it('allows a senior analyst, refuses a junior one for senior work, and unknown analysts', async () => {
    const alice = await ask('alice', 'senior', 'default');
    expect(alice).toMatchObject({ allowed: true, reasons: [], requiredRoles: ['senior'], policyVersion: bundle.version });
    expect(alice.inputDigest).toMatch(/^sha256:/);
    expect((await ask('bob', 'senior', 'default')).reasons.map((r) => r.code)).toEqual(['missing_role']);
    expect((await ask('mallory', 'analyst', 'default')).reasons.map((r) => r.code)).toEqual(['unknown_analyst']);
  });

  it("refuses decisions on the analyst's own team's workload", async () => {
    expect((await ask('bob', 'analyst', 'payments')).reasons.map((r) => r.code)).toEqual(['own_team']);
    expect((await ask('erin', 'senior', 'kube-system')).reasons.map((r) => r.code)).toEqual(['own_team']);
  });

  it('needs a senior for a protected asset even when the verdict asked only for an analyst', async () => {
    const r = await ask('carol', 'analyst', 'shop', 'web-frontend-7c9d8b6f5-abcde');
    expect(r.allowed).toBe(false);
    expect(r.requiredRoles).toEqual(['analyst', 'senior']);
  });
});
