import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The proof a chat button carries. Mattermost does not sign its callbacks, so the button's own
 * context must be unforgeable: an HMAC-SHA256 (key shared by the notification agent, which mints
 * buttons, and the approvals service, which redeems them) over the incident, the decision, an
 * expiry and a one-time nonce. Format: `v1.<base64url(json claims)>.<base64url(mac)>`.
 */
export const ButtonClaimsSchema = z
  .object({
    incidentId: z.string().min(1).max(256),
    decision: z.enum(['approve', 'reject']),
    /** Unix seconds; the escalation deadline, so a button dies with the wait it answers. */
    exp: z.number().int().positive(),
    nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  })
  .strict();
export type ButtonClaims = z.infer<typeof ButtonClaimsSchema>;

const PREFIX = 'v1';
/** Tokens longer than this are refused before any work (Slack caps a button value at 2000 characters). */
export const MAX_BUTTON_TOKEN_LENGTH = 1000;
const MIN_KEY_BYTES = 32;

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

function mac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(`vigil-button/${PREFIX}.${body}`).digest();
}

export function checkButtonKey(key: Buffer): Buffer {
  if (key.length < MIN_KEY_BYTES) throw new Error(`the button key is ${key.length} bytes; it needs at least ${MIN_KEY_BYTES}`);
  return key;
}

export function mintButtonToken(key: Buffer, claims: ButtonClaims): string {
  const body = Buffer.from(JSON.stringify(ButtonClaimsSchema.parse(claims))).toString('base64url');
  return `${PREFIX}.${body}.${mac(key, body).toString('base64url')}`;
}

export type ButtonCheck = { ok: true; claims: ButtonClaims } | { ok: false; reason: string };

/** Verifies the MAC in constant time, then the claims and the expiry; never says more than why. */
export function verifyButtonToken(key: Buffer, token: unknown, nowSeconds: number): ButtonCheck {
  if (typeof token !== 'string' || token.length === 0) return { ok: false, reason: 'the button carries no token' };
  if (token.length > MAX_BUTTON_TOKEN_LENGTH) return { ok: false, reason: 'the button token is too long' };
  const [prefix, body, sig, ...rest] = token.split('.');
  if (prefix !== PREFIX || !body || !sig || rest.length > 0) return { ok: false, reason: 'the button token is malformed' };
  const expected = mac(key, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the button token is forged or damaged' };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the button token is malformed' };
  }
  const claims = ButtonClaimsSchema.safeParse(raw);
  if (!claims.success) return { ok: false, reason: 'the button token is malformed' };
  if (claims.data.exp <= nowSeconds) return { ok: false, reason: `the button expired at ${new Date(claims.data.exp * 1000).toISOString()}` };
  return { ok: true, claims: claims.data };
}
