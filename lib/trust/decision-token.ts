import { randomBytes } from 'node:crypto';
import type { CryptoKey, JWTVerifyGetKey, KeyObject } from 'jose';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { AnalystDecision, DecisionClaims } from '../../contracts/decision';
import { DecisionClaimsSchema } from '../../contracts/decision';

/** Every signed decision is addressed to Vigil; a token minted for something else is not one. */
export const DECISION_AUDIENCE = 'vigil-decision';

/** Asymmetric only: a verifier never holds a secret that could also mint decisions. */
export const DECISION_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'ES384', 'RS256', 'PS256'] as const;

/** A signed decision lives minutes, not days; a longer-lived one is refused even if unexpired. */
export const MAX_DECISION_LIFETIME_SECONDS = 3600;
const CLOCK_TOLERANCE_SECONDS = 30;

/** Why a decision token was refused; stable codes for records and metrics. */
export const TOKEN_REFUSALS = [
  'malformed_token',
  'untrusted_issuer',
  'unknown_key',
  'bad_signature',
  'wrong_audience',
  'expired',
  'not_yet_valid',
  'lifetime_too_long',
  'wrong_incident',
  'wrong_verdict',
  'key_not_subjects',
  'keys_unavailable',
] as const;
export type TokenRefusal = (typeof TOKEN_REFUSALS)[number];

/** Who is trusted to sign decisions, and how their keys are found. */
export interface TrustedIssuer {
  issuer: string;
  getKey: JWTVerifyGetKey;
  /**
   * Per-analyst keys (the local development JWKS): the signing key's `kid` must name the token's
   * subject (`<analyst>:<thumbprint>`), so alice's key cannot sign as bob. An OIDC issuer instead
   * asserts the subject itself (false).
   */
  bindSubjectToKey: boolean;
}

export interface DecisionExpectations {
  incidentId: string;
  verdictDigest: string;
  /** Seconds since the epoch; the verifier's clock. */
  now?: number;
}

export type VerifiedDecision = { ok: true; decision: AnalystDecision; nonce: string; issuer: string; expiresAt: number };
export type RefusedDecision = { ok: false; code: TokenRefusal; message: string };

/** The analyst's key id in a per-analyst JWKS: the analyst, then which of their keys. */
export function analystKeyId(analyst: string, thumbprint: string): string {
  return `${analyst}:${thumbprint.slice(0, 16)}`;
}

export function subjectOfKeyId(kid: string | undefined): string | null {
  if (!kid) return null;
  const at = kid.indexOf(':');
  return at > 0 ? kid.slice(0, at) : null;
}

export interface DecisionToSign {
  analyst: string;
  decision: AnalystDecision['decision'];
  reason: string;
  incidentId: string;
  verdictDigest: string;
  issuer: string;
  kid: string;
  alg: (typeof DECISION_ALGORITHMS)[number];
  ttlSeconds: number;
  now?: number;
}

/** Mints a decision token (what `vigil approve|reject` sends, and what `--print` wraps as `{"token": ...}`). */
export async function signDecision(key: CryptoKey | KeyObject | Uint8Array, d: DecisionToSign): Promise<string> {
  if (d.ttlSeconds <= 0 || d.ttlSeconds > MAX_DECISION_LIFETIME_SECONDS) throw new Error(`ttl must be 1..${MAX_DECISION_LIFETIME_SECONDS} s`);
  const now = d.now ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ decision: d.decision, incident: d.incidentId, verdict: d.verdictDigest, reason: d.reason })
    .setProtectedHeader({ alg: d.alg, kid: d.kid, typ: 'vigil-decision+jwt' })
    .setIssuer(d.issuer)
    .setAudience(DECISION_AUDIENCE)
    .setSubject(d.analyst)
    .setIssuedAt(now)
    .setExpirationTime(now + d.ttlSeconds)
    .setJti(randomBytes(16).toString('hex'))
    .sign(key);
}

const refuse = (code: TokenRefusal, message: string): RefusedDecision => ({ ok: false, code, message });

/** Sorts jose's failures into our reasons; anything unrecognised is a bad signature (fail closed). */
function classify(err: unknown): RefusedDecision {
  if (err instanceof errors.JWTExpired) return refuse('expired', 'decision token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return refuse('wrong_audience', `decision token is not addressed to ${DECISION_AUDIENCE}`);
    if (err.claim === 'nbf' || err.claim === 'iat') return refuse('not_yet_valid', `decision token is not valid yet (${err.claim})`);
    return refuse('malformed_token', `decision token claim ${err.claim}: ${err.reason}`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) return refuse('unknown_key', 'no trusted key matches the decision token');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return refuse('unknown_key', 'the decision token names no single trusted key');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return refuse('keys_unavailable', `the decision keys could not be read: ${err.message}`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return refuse('bad_signature', 'decision token signature does not verify');
  if (err instanceof errors.JOSEAlgNotAllowed) return refuse('bad_signature', 'decision token algorithm is not allowed');
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return refuse('malformed_token', `decision token is malformed: ${err.message}`);
  return refuse('bad_signature', `decision token refused: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Verifies a decision token against the trusted issuers and binds it to this incident and verdict.
 * Nonce reuse is the caller's to check (the workflow keeps the nonces it has seen).
 */
export async function verifyDecisionToken(token: string, issuers: readonly TrustedIssuer[], expect: DecisionExpectations): Promise<VerifiedDecision | RefusedDecision> {
  let unverifiedIssuer: unknown;
  let kid: string | undefined;
  try {
    unverifiedIssuer = decodeJwt(token).iss;
    kid = decodeProtectedHeader(token).kid;
  } catch (err) {
    return refuse('malformed_token', `decision token is malformed: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The issuer only picks which keys to try; nothing in the token is believed before the signature.
  const trusted = issuers.find((i) => i.issuer === unverifiedIssuer);
  if (!trusted) return refuse('untrusted_issuer', `decision token issuer ${JSON.stringify(String(unverifiedIssuer)).slice(0, 80)} is not trusted`);
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, trusted.getKey, {
      issuer: trusted.issuer,
      audience: DECISION_AUDIENCE,
      algorithms: [...DECISION_ALGORITHMS],
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now * 1000),
    }));
  } catch (err) {
    return classify(err);
  }
  const claims = DecisionClaimsSchema.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0];
    return refuse('malformed_token', `decision token claims: ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid'}`);
  }
  const c: DecisionClaims = claims.data;
  if (c.exp - c.iat > MAX_DECISION_LIFETIME_SECONDS) return refuse('lifetime_too_long', `decision token lives ${c.exp - c.iat} s; at most ${MAX_DECISION_LIFETIME_SECONDS} s is accepted`);
  if (trusted.bindSubjectToKey && subjectOfKeyId(kid) !== c.sub) return refuse('key_not_subjects', `the signing key is not ${c.sub}'s`);
  if (c.incident !== expect.incidentId) return refuse('wrong_incident', 'decision token was issued for another incident');
  if (c.verdict !== expect.verdictDigest) return refuse('wrong_verdict', 'decision token answers another verdict (the incident was reviewed again since)');
  return { ok: true, decision: { decision: c.decision, analyst: c.sub, reason: c.reason }, nonce: c.jti, issuer: c.iss, expiresAt: c.exp };
}
