import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPROVALS_ISSUER, approvalsIssuer, decisionTrustConfigFromEnv, issuerKeyFromPem, LOCAL_ISSUER, trustedIssuers } from '../../../lib/trust/decision-keys';
import { signDecision, verifyDecisionToken } from '../../../lib/trust/decision-token';
import { writeSigningKeyPair } from '../../../lib/trust/dev-keys';

const VERDICT = `sha256:${'ab'.repeat(32)}`;
const INCIDENT = 'incident-0123';

/** The approvals service as a decision issuer: its key signs for the analyst chat_users maps a click to. */
describe('the approvals service as a trusted decision issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-approvals-keys-'));
  const service = writeSigningKeyPair(dir, 'approvals');
  const impostor = writeSigningKeyPair(dir, 'impostor');
  const key = issuerKeyFromPem(readFileSync(service.privateKeyFile, 'utf8'));
  const trusted = approvalsIssuer(readFileSync(service.publicKeyFile, 'utf8'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const mint = (signing = key, kid = key.kid, analyst = 'alice') =>
    signDecision(signing.key, { analyst, decision: 'approve', reason: 'approved in Mattermost by @alice', incidentId: INCIDENT, verdictDigest: VERDICT, issuer: APPROVALS_ISSUER, kid, alg: 'EdDSA', ttlSeconds: 300 });

  it('verifies what the service signed, and the subject it asserts is the analyst', async () => {
    expect(await verifyDecisionToken(await mint(), [trusted], { incidentId: INCIDENT, verdictDigest: VERDICT })).toMatchObject({
      ok: true,
      issuer: APPROVALS_ISSUER,
      decision: { analyst: 'alice', decision: 'approve', reason: 'approved in Mattermost by @alice' },
    });
  });

  it("refuses another key that claims the service's key id, and a key id it does not hold", async () => {
    const other = issuerKeyFromPem(readFileSync(impostor.privateKeyFile, 'utf8'));
    expect(await verifyDecisionToken(await mint(other, key.kid), [trusted], { incidentId: INCIDENT, verdictDigest: VERDICT })).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(await verifyDecisionToken(await mint(other, other.kid), [trusted], { incidentId: INCIDENT, verdictDigest: VERDICT })).toMatchObject({ ok: false, code: 'unknown_key' });
  });

  it('is trusted only when the review agent is told its key: then beside the local analysts', () => {
    const without = trustedIssuers(decisionTrustConfigFromEnv({ VIGIL_ANALYST_KEYS_DIR: dir }));
    expect(without.map((i) => i.issuer)).toEqual([LOCAL_ISSUER]);
    const withKey = trustedIssuers(decisionTrustConfigFromEnv({ VIGIL_ANALYST_KEYS_DIR: dir, VIGIL_DECISION_APPROVALS_KEY_FILE: service.publicKeyFile }));
    expect(withKey.map((i) => [i.issuer, i.bindSubjectToKey])).toEqual([
      [LOCAL_ISSUER, true],
      [APPROVALS_ISSUER, false],
    ]);
  });

  it('refuses a signing key that is not Ed25519, and a public key file that holds none', () => {
    expect(() => issuerKeyFromPem(readFileSync(service.publicKeyFile, 'utf8'))).toThrow();
    expect(() => approvalsIssuer('not a key')).toThrow(/no PEM public key/);
  });
});
