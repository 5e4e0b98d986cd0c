import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import type { JWK } from 'jose';
import { addAnalystKey, signAsAnalyst } from '../../../lib/trust/analyst-keys';
import { decisionTrustConfigFromEnv, LOCAL_ISSUER, localJwksKeys, trustedIssuers } from '../../../lib/trust/decision-keys';
import type { TrustedIssuer } from '../../../lib/trust/decision-token';
import { DECISION_AUDIENCE, verifyDecisionToken } from '../../../lib/trust/decision-token';

const VERDICT = `sha256:${'ab'.repeat(32)}`;
const OTHER_VERDICT = `sha256:${'cd'.repeat(32)}`;
const INCIDENT = 'incident-0123';
const expectations = { incidentId: INCIDENT, verdictDigest: VERDICT };

describe('signed analyst decisions', () => {
  let dir: string;
  let issuers: TrustedIssuer[];
  const sign = (analyst: string, over: Partial<Parameters<typeof signAsAnalyst>[1]> = {}) =>
    signAsAnalyst(dir, { analyst, decision: 'approve', reason: 'confirmed', incidentId: INCIDENT, verdictDigest: VERDICT, ttlSeconds: 600, ...over });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
    await addAnalystKey(dir, 'alice');
    await addAnalystKey(dir, 'bob');
    issuers = trustedIssuers(decisionTrustConfigFromEnv({ VIGIL_ANALYST_KEYS_DIR: dir }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a decision and takes the analyst from the token subject', async () => {
    const r = await verifyDecisionToken(await sign('alice'), issuers, expectations);
    expect(r).toMatchObject({ ok: true, decision: { decision: 'approve', analyst: 'alice', reason: 'confirmed' }, issuer: LOCAL_ISSUER });
    expect(r.ok && r.nonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives every token its own nonce', async () => {
    const a = await verifyDecisionToken(await sign('alice'), issuers, expectations);
    const b = await verifyDecisionToken(await sign('alice'), issuers, expectations);
    expect(a.ok && b.ok && a.nonce !== b.nonce).toBe(true);
  });

  it.each([
    ['expired', { now: Math.floor(Date.now() / 1000) - 700 }, 'expired'],
    ['another incident', { incidentId: 'incident-other' }, 'wrong_incident'],
    ['another verdict', { verdictDigest: OTHER_VERDICT }, 'wrong_verdict'],
  ])('refuses a token for %s', async (_name, over, code) => {
    expect(await verifyDecisionToken(await sign('alice', over), issuers, expectations)).toMatchObject({ ok: false, code });
  });

  /** A token hand-made with alice's real key, for claims `signAsAnalyst` would never produce. */
  const withAlicesKey = async (o: { sub?: string; audience?: string; expires?: string }) => {
    const aliceJwk = JSON.parse(readFileSync(join(dir, 'alice.private.jwk.json'), 'utf8')) as JWK & { kid: string };
    return new SignJWT({ decision: 'approve', incident: INCIDENT, verdict: VERDICT, reason: '' })
      .setProtectedHeader({ alg: 'EdDSA', kid: aliceJwk.kid })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(o.audience ?? DECISION_AUDIENCE)
      .setSubject(o.sub ?? 'alice')
      .setIssuedAt()
      .setExpirationTime(o.expires ?? '5m')
      .setJti('f'.repeat(32))
      .sign(await importJWK(aliceJwk, 'EdDSA'));
  };

  it("refuses alice's key signing as bob", async () => {
    const forged = await withAlicesKey({ sub: 'bob' });
    expect(await verifyDecisionToken(forged, issuers, expectations)).toMatchObject({ ok: false, code: 'key_not_subjects' });
  });

  it('refuses a tampered payload', async () => {
    const [h, p, s] = (await sign('bob', { decision: 'reject' })).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, decision: 'approve' })).toString('base64url')}.${s}`;
    expect(await verifyDecisionToken(tampered, issuers, expectations)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('refuses a key the JWKS does not hold, an untrusted issuer, a foreign audience and an unsigned token', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const base = () =>
      new SignJWT({ decision: 'approve', incident: INCIDENT, verdict: VERDICT, reason: '' }).setSubject('alice').setIssuedAt().setExpirationTime('5m').setJti('e'.repeat(32));
    const unknownKey = await base().setProtectedHeader({ alg: 'EdDSA', kid: 'alice:0000000000000000' }).setIssuer(LOCAL_ISSUER).setAudience(DECISION_AUDIENCE).sign(privateKey);
    const otherIssuer = await base().setProtectedHeader({ alg: 'EdDSA', kid: 'alice:x' }).setIssuer('https://evil.example').setAudience(DECISION_AUDIENCE).sign(privateKey);
    const otherAudience = await withAlicesKey({ audience: 'some-other-app' });
    const unsigned = new UnsecuredJWT({ decision: 'approve', incident: INCIDENT, verdict: VERDICT }).setIssuer(LOCAL_ISSUER).setAudience(DECISION_AUDIENCE).setSubject('alice').encode();
    expect(await verifyDecisionToken(unknownKey, issuers, expectations)).toMatchObject({ ok: false, code: 'unknown_key' });
    expect(await verifyDecisionToken(otherIssuer, issuers, expectations)).toMatchObject({ ok: false, code: 'untrusted_issuer' });
    expect(await verifyDecisionToken(otherAudience, issuers, expectations)).toMatchObject({ ok: false, code: 'wrong_audience' });
    expect(await verifyDecisionToken(unsigned, issuers, expectations)).toMatchObject({ ok: false });
    expect(await verifyDecisionToken('not.a.token', issuers, expectations)).toMatchObject({ ok: false, code: 'malformed_token' });
  });

  it('refuses a token that lives longer than an hour, even unexpired', async () => {
    const longLived = await withAlicesKey({ expires: '30d' });
    expect(await verifyDecisionToken(longLived, issuers, expectations)).toMatchObject({ ok: false, code: 'lifetime_too_long' });
  });

  it('keeps private keys owner-only and publishes only public halves', async () => {
    expect(statSync(join(dir, 'alice.private.jwk.json')).mode & 0o077).toBe(0);
    const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.map((k) => String(k.kid).split(':')[0])).toEqual(['alice', 'bob']);
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    // Adding again keeps the key (and the analyst's tokens) as they are.
    expect(await addAnalystKey(dir, 'alice')).toMatchObject({ created: false });
  });

  it('picks up an analyst added while the verifier runs, and refuses everything without a key file', async () => {
    const getKey = localJwksKeys(join(dir, 'jwks.json'));
    const live: TrustedIssuer[] = [{ issuer: LOCAL_ISSUER, getKey, bindSubjectToKey: true }];
    expect(await verifyDecisionToken(await sign('alice'), live, expectations)).toMatchObject({ ok: true });
    await addAnalystKey(dir, 'carol');
    expect(await verifyDecisionToken(await sign('carol'), live, expectations)).toMatchObject({ ok: true, decision: { analyst: 'carol' } });
    const none: TrustedIssuer[] = [{ issuer: LOCAL_ISSUER, getKey: localJwksKeys(join(dir, 'missing.json')), bindSubjectToKey: true }];
    expect(await verifyDecisionToken(await sign('alice'), none, expectations)).toMatchObject({ ok: false, code: 'unknown_key' });
  });

  it('refuses an OIDC issuer without https, and an issuer without its JWKS', () => {
    expect(() => decisionTrustConfigFromEnv({ VIGIL_DECISION_ISSUER: 'https://idp.example', VIGIL_DECISION_JWKS_URL: 'http://idp.example/jwks' })).toThrow(/https/);
    expect(() => decisionTrustConfigFromEnv({ VIGIL_DECISION_ISSUER: 'https://idp.example' })).toThrow(/go together/);
    expect(decisionTrustConfigFromEnv({ VIGIL_DECISION_LOCAL_KEYS: 'off' })).toEqual({ oidc: null, localJwksFile: null, approvalsKeyFile: null });
  });
});
