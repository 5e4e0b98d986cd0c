import { join } from 'node:path';
import { analyseDeterministically } from '../../../activities/analysis/deterministic-analyser';
import type { PolicyBundle } from '../../../activities/review/policy-bundle';
import { loadPolicyBundle } from '../../../activities/review/policy-bundle';
import { evaluateAuthority, evaluateVerdict, verdictInput } from '../../../activities/review/verdict-engine';
import type { FalcoAlert } from '../../../contracts';
import { assetOf, VerdictSchema } from '../../../contracts';
import { anomalyOf, byRule, exampleAlert, ROOT } from '../../helpers/fixtures';

/** Real Rego compiled to wasm by scripts/build-policy.sh (npm test builds it first). */
let bundle: PolicyBundle;
beforeAll(async () => {
  bundle = await loadPolicyBundle(join(ROOT, 'policies', 'build'));
});

function verdictFor(alert: FalcoAlert, b: PolicyBundle | null = bundle) {
  const anomaly = anomalyOf(alert);
  const analysis = analyseDeterministically(anomaly);
  return evaluateVerdict(b, verdictInput('incident-test', anomaly, analysis, assetOf(alert)));
}

describe('review verdicts from the wasm policy', () => {
  it('auto-executes a quarantine label for a low-severity shell in an ordinary namespace', () => {
    const v = verdictFor(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice' && a.output_fields['k8s.ns.name'] === 'default')));
    expect(VerdictSchema.safeParse(v).success).toBe(true);
    expect(v.outcome).toBe('auto_execute');
    expect(v.allowedActions.map((a) => a.actionner)).toEqual(['kubernetes:label']);
    expect(v.policyVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(v.inputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('auto-rejects notify-only findings', () => {
    const v = verdictFor(exampleAlert(byRule('K8s Serviceaccount Created')));
    expect(v.outcome).toBe('auto_reject');
    expect(v.reasons.map((r) => r.code)).toContain('notify_only');
  });

  it('escalates the control plane to a senior analyst', () => {
    const v = verdictFor(exampleAlert((a) => a.output_fields['k8s.ns.name'] === 'kube-system'));
    expect(v.outcome).toBe('escalate');
    expect(v.reasons.map((r) => r.code)).toContain('protected_asset');
    expect(v.escalation).toMatchObject({ requiredRole: 'senior', onTimeout: 'auto_reject' });
  });

  it('escalates low confidence and drastic actions, with the per-severity timeout', () => {
    const low = verdictFor(exampleAlert((a) => a.rule.startsWith('Custom:')));
    expect(low.reasons.map((r) => r.code)).toContain('low_confidence');
    const critical = verdictFor(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')));
    expect(critical.outcome).toBe('escalate');
    expect(critical.reasons.map((r) => r.code)).toContain('human_only_action');
    expect(critical.escalation?.timeoutSeconds).toBe(900);
  });
});

describe('fail closed', () => {
  const alert = () => exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Notice'));
  const fake = (evaluate: () => unknown): PolicyBundle => ({ version: 'fake', evaluate });

  it.each([
    ['no bundle', null],
    ['evaluation throws', fake(() => { throw new Error('wasm trap'); })],
    ['undefined result', fake(() => undefined)],
    ['malformed result', fake(() => ({ outcome: 'yes_please' }))],
    ['escalate without terms', fake(() => ({ outcome: 'escalate', reasons: [{ code: 'x', message: 'y' }], allowedActions: [], rejectedActions: [], mutations: [], escalation: null }))],
  ])('%s escalates with policy_error and never executes', (_name, b) => {
    const v = verdictFor(alert(), b);
    expect(v.outcome).toBe('escalate');
    expect(v.reasons[0]?.code).toBe('policy_error');
    expect(v.escalation?.requiredRole).toBe('senior');
  });

  it('refuses a decision when the authority policy fails', () => {
    const r = evaluateAuthority(fake(() => { throw new Error('boom'); }), {
      decision: { decision: 'approve', analyst: 'alice', reason: '' },
      requiredRole: 'analyst',
      asset: { kind: 'pod', namespace: 'default', pod: 'p' },
      severity: 'low',
    });
    expect(r.allowed).toBe(false);
  });
});

describe('analyst authority', () => {
  const ask = (analyst: string, requiredRole: string, namespace: string) =>
    evaluateAuthority(bundle, { decision: { decision: 'approve', analyst, reason: '' }, requiredRole, asset: { kind: 'pod', namespace, pod: 'p' }, severity: 'high' });

  it('allows a senior analyst, refuses a junior one for senior work, and unknown analysts', () => {
    expect(ask('alice', 'senior', 'default').allowed).toBe(true);
    expect(ask('bob', 'senior', 'default').reasons.map((r) => r.code)).toEqual(['missing_role']);
    expect(ask('mallory', 'analyst', 'default').reasons.map((r) => r.code)).toEqual(['unknown_analyst']);
  });

  it("refuses decisions on the analyst's own team's workload", () => {
    expect(ask('bob', 'analyst', 'payments').reasons.map((r) => r.code)).toEqual(['own_team']);
    expect(ask('erin', 'senior', 'kube-system').allowed).toBe(false);
  });
});
