import { analyseDeterministically } from '../../../activities/analysis/deterministic-analyser';
import { createRemediationActivities } from '../../../activities/remediation';
import { defaultRegistry } from '../../../activities/remediation/registry';
import { mandateProblem, targetProblem } from '../../../activities/remediation/verdict-check';
import { createReviewActivities } from '../../../activities/review';
import { withOrigin } from '../../../activities/review/origin-trust';
import type { PolicyBundle } from '../../../activities/review/policy-bundle';
import { loadPolicyBundle } from '../../../activities/review/policy-bundle';
import type { Anomaly, Asset, ProposedAction, Verdict } from '../../../contracts';
import { A2A_ROLES, agentMessage, assetOf, FAILURE_TYPES } from '../../../contracts';
import { incidentIdFor } from '../../../lib/identity';
import { createLogger } from '../../../lib/logger';
import { originOf, signAnomaly } from '../../../lib/trust/anomaly-signature';
import { signVerdict } from '../../../lib/trust/verdict-signature';
import { anomalyOf, evidentAlert } from '../../helpers/fixtures';
import { builtBundleDir } from '../../helpers/policy-bundles';
import { freshKeys, testGateSigner, testGateVerifier } from '../../helpers/trust';

const log = createLogger('test', 'silent');
let bundle: PolicyBundle;
beforeAll(async () => {
  bundle = await loadPolicyBundle(builtBundleDir());
});
afterAll(() => bundle?.retire());

const verdictKeys = freshKeys('verdict');
const review = () => createReviewActivities({ policy: { current: () => bundle }, log, trust: { signer: verdictKeys.signer, gate: testGateVerifier() }, issuers: [] });
const remediation = createRemediationActivities({ registry: defaultRegistry(), dryRun: true, log, verdicts: verdictKeys.verifier });

const TRACE = 'a'.repeat(32);
const msg = <T>(incidentId: string, skill: string, data: T) => agentMessage({ messageId: `m-${Math.random()}`, contextId: incidentId, role: A2A_ROLES.user, traceId: TRACE, skill, from: 'coordinator', data });

/** A reverse shell to an outside address in an ordinary namespace: evidence enough for the policy to auto-execute. */
const lowShell = evidentAlert;

async function reviewed(anomaly: Anomaly, incidentId = incidentIdFor(anomaly)): Promise<{ incidentId: string; asset: Asset; verdict: Verdict }> {
  const asset = assetOf(anomaly.alert);
  const reply = await review().review(msg(incidentId, 'review', { anomaly, analysis: analyseDeterministically(anomaly), asset }));
  return { incidentId, asset, verdict: reply.parts[0].data };
}

async function refusal(p: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { type?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('remediation runs only what a signed verdict carries, on the incident asset', () => {
  it('executes the verdict the review agent signed, action for action', async () => {
    const { incidentId, asset, verdict } = await reviewed(anomalyOf(lowShell()));
    expect(verdict).toMatchObject({ outcome: 'auto_execute', originTrusted: true });
    expect(verdict.signature).toMatch(/^ed25519:/);
    const reply = await remediation.remediate(msg(incidentId, 'remediate', { actions: verdict.allowedActions, verdict, asset }));
    expect(reply.parts[0].data.map((r) => r.status)).toEqual(verdict.allowedActions.map(() => 'dry_run'));
  });

  it('refuses, non-retryably, an action the verdict does not carry, a tampered verdict, another incident, another asset, an unsigned verdict', async () => {
    const { incidentId, asset, verdict } = await reviewed(anomalyOf(lowShell()));
    const first = verdict.allowedActions[0] as ProposedAction;
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['params changed', { actions: [{ ...first, params: { labels: { 'vigil.dev/quarantine': 'false' } } }], verdict, asset }, incidentId, /is not a step of the signed verdict/],
      ['extra action', { actions: [...verdict.allowedActions, { ...first, id: 'extra', actionner: 'kubernetes:terminate' }], verdict, asset }, incidentId, /extra .* is not a step/],
      ['verdict edited', { actions: [first], verdict: { ...verdict, allowedActions: [{ ...first, params: {} }] }, asset }, incidentId, /signature does not verify/],
      ['another incident', { actions: [first], verdict, asset }, 'incident-elsewhere', /signature does not verify/],
      ['another asset', { actions: [first], verdict, asset: { ...asset, pod: 'payments-api-0' } }, incidentId, /signature does not verify/],
      ['unsigned', { actions: [first], verdict: { ...verdict, signature: undefined }, asset }, incidentId, /verdict refused: unsigned/],
      ['signed by another key', { actions: [first], verdict: { ...verdict, signature: freshKeys('rogue').signer.sign('vigil-verdict/v1', {}) }, asset }, incidentId, /unknown key/],
    ];
    for (const [name, data, id, reason] of cases) {
      const err = await refusal(remediation.remediate(msg(id, 'remediate', data) as never));
      expect({ name, type: err.type, message: err.message }).toEqual({ name, type: FAILURE_TYPES.policyDenied, message: expect.stringMatching(reason) });
    }
  });

  it('refuses a request with no verdict at all as invalid input', async () => {
    const { incidentId, verdict } = await reviewed(anomalyOf(lowShell()));
    const err = await refusal(remediation.remediate(msg(incidentId, 'remediate', { actions: verdict.allowedActions }) as never));
    expect(err).toMatchObject({ type: FAILURE_TYPES.invalidInput, message: expect.stringMatching(/verdict/) });
  });

  it('checks each target against the asset: namespace and pod spelled exactly, no other node', () => {
    const asset: Asset = { kind: 'pod', namespace: 'default', pod: 'web-1', node: 'n1' };
    expect(targetProblem({ namespace: 'default', pod: 'web-1' }, asset)).toBeNull();
    expect(targetProblem({ namespace: 'default', pod: 'web-1', workload: 'web' }, asset)).toBeNull();
    expect(targetProblem({ namespace: 'Default', pod: 'web-1' }, asset)).toMatch(/namespace "Default"/);
    expect(targetProblem({ namespace: 'default' }, asset)).toMatch(/pod "\(none\)"/);
    expect(targetProblem({ namespace: 'default', pod: 'web-1', node: 'n2' }, asset)).toMatch(/node "n2"/);
    expect(targetProblem({ namespace: 'default' }, { kind: 'host', node: 'n1' })).toMatch(/names no namespace/);
  });

  it('refuses a signed verdict aimed elsewhere even when the signature is good', () => {
    // The review agent itself signs only alert assets; this proves the target check does not lean on that.
    const asset: Asset = { kind: 'pod', namespace: 'default', pod: 'web-1' };
    const elsewhere: ProposedAction = { id: 'x', actionner: 'kubernetes:label', target: { namespace: 'kube-system', pod: 'web-1' }, params: {}, blastRadius: { scope: 'pod', pods: 1 }, rationale: '' };
    const verdict = withSignature({ outcome: 'auto_execute', reasons: [], allowedActions: [elsewhere], rejectedActions: [], mutations: [], flagged: [], escalation: null, policyVersion: 'v', inputDigest: 'd' }, 'incident-x', asset);
    expect(mandateProblem(verdictKeys.verifier, { incidentId: 'incident-x', asset, verdict, actions: [elsewhere] })).toMatch(/namespace "kube-system" is not the incident's "default"/);
    expect(mandateProblem(verdictKeys.verifier, { incidentId: 'incident-x', asset, verdict: { ...verdict, outcome: 'auto_reject', signature: withSignature({ ...verdict, outcome: 'auto_reject' }, 'incident-x', asset).signature }, actions: [] })).toMatch(/rejects/);
  });
});

function withSignature(v: Verdict, incidentId: string, asset: Asset): Verdict {
  return signVerdict(verdictKeys.signer, incidentId, asset, v);
}

describe('who may open incidents: only what the gate signed auto-executes', () => {
  it('trusts a gate-signed anomaly in the incident the gate would open for it', () => {
    const anomaly = anomalyOf(lowShell());
    expect(originOf(testGateVerifier(), incidentIdFor(anomaly), anomaly)).toEqual({ trusted: true });
  });

  it('distrusts an unsigned, altered, other-key or replayed-elsewhere anomaly, and everything when no gate key is configured', () => {
    const signed = anomalyOf(lowShell());
    const id = incidentIdFor(signed);
    const unsigned = anomalyOf(lowShell(), { unsigned: true });
    expect(originOf(testGateVerifier(), incidentIdFor(unsigned), unsigned)).toMatchObject({ trusted: false, reason: expect.stringMatching(/unsigned/) });
    expect(originOf(testGateVerifier(), id, { ...signed, score: 0.99 })).toMatchObject({ trusted: false, reason: expect.stringMatching(/does not verify/) });
    expect(originOf(testGateVerifier(), id, signAnomaly(freshKeys('forger').signer, signed))).toMatchObject({ trusted: false, reason: expect.stringMatching(/unknown key/) });
    expect(originOf(testGateVerifier(), 'incident-hand-started', signed)).toMatchObject({ trusted: false, reason: expect.stringMatching(/not the gate's incident/) });
    expect(originOf(null, id, signed)).toMatchObject({ trusted: false, reason: expect.stringMatching(/no gate key/) });
    expect(signAnomaly(testGateSigner(), signed).signature).toBe(signed.signature);
  });

  it('turns an untrusted auto_execute into an escalation a senior must decide, rejected on timeout, and says why (in the signed verdict)', async () => {
    const { verdict } = await reviewed(anomalyOf(lowShell(), { unsigned: true }));
    expect(verdict).toMatchObject({ outcome: 'escalate', originTrusted: false, escalation: { onTimeout: 'auto_reject', requiredRole: 'senior' } });
    expect(verdict.reasons.map((r) => r.code)).toContain('untrusted_origin');
    const hand = await reviewed(anomalyOf(lowShell()), 'incident-started-by-hand');
    expect(hand.verdict).toMatchObject({ outcome: 'escalate', originTrusted: false });
  });

  it('never lifts an escalation timeout to auto_execute for an untrusted incident, and leaves a rejection a rejection', () => {
    const base: Verdict = { outcome: 'escalate', reasons: [], allowedActions: [], rejectedActions: [], mutations: [], flagged: [], escalation: { timeoutSeconds: 60, onTimeout: 'auto_execute', requiredRole: 'analyst' }, policyVersion: 'v', inputDigest: 'd' };
    expect(withOrigin(base, { trusted: false, reason: 'r' }).escalation).toEqual({ timeoutSeconds: 60, onTimeout: 'auto_reject', requiredRole: 'senior' });
    expect(withOrigin({ ...base, outcome: 'auto_reject', escalation: null }, { trusted: false, reason: 'r' })).toMatchObject({ outcome: 'auto_reject', originTrusted: false });
    expect(withOrigin(base, { trusted: true })).toEqual({ ...base, originTrusted: true });
  });

  it('refuses to review an asset that is not the alert\'s own', async () => {
    const anomaly = anomalyOf(lowShell());
    const err = await refusal(review().review(msg(incidentIdFor(anomaly), 'review', { anomaly, analysis: analyseDeterministically(anomaly), asset: { kind: 'pod', namespace: 'kube-system', pod: 'etcd-0' } })));
    expect(err).toMatchObject({ type: FAILURE_TYPES.invalidInput, message: expect.stringMatching(/not the one the alert names/) });
  });
});
