import { z } from 'zod';
import { ReasonSchema } from './verdict';

const analystIdentity = z
  .string()
  .min(1, 'analyst is required')
  .max(128)
  .regex(/^[A-Za-z0-9._@+-]+$/, 'analyst must be a plain identity (letters, digits, . _ @ + -)');

/**
 * What an analyst decided. Inside a signed decision these are the token's claims (the analyst is
 * its subject); sent as plain JSON they prove nothing and policy refuses them unless the asset's
 * namespace accepts unsigned decisions. Strict: unknown keys are refused so a typo is not ignored.
 */
export const AnalystDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    analyst: analystIdentity,
    reason: z.string().max(2000).default(''),
  })
  .strict();
export type AnalystDecision = z.infer<typeof AnalystDecisionSchema>;
export type AnalystDecisionInput = z.input<typeof AnalystDecisionSchema>;

/** A compact JWS: three base64url parts. Bounded so decision spam cannot grow history much. */
export const MAX_DECISION_TOKEN_CHARS = 8192;
export const SignedDecisionSchema = z
  .object({
    token: z
      .string()
      .max(MAX_DECISION_TOKEN_CHARS, `token longer than ${MAX_DECISION_TOKEN_CHARS} characters`)
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'token must be a compact JWS (header.payload.signature)'),
  })
  .strict();
export type SignedDecision = z.infer<typeof SignedDecisionSchema>;

/** What the signal, the update and the UI deliver: a signed decision, or (refused unless policy allows) a plain one. */
export type SubmittedDecision = { signed: true; token: string } | { signed: false; decision: AnalystDecision };

/** Sorts a payload into signed or plain by the presence of `token`, so each gets its own clear error. */
export function parseSubmittedDecision(raw: unknown): { ok: true; value: SubmittedDecision } | { ok: false; reason: string } {
  const signed = typeof raw === 'object' && raw !== null && 'token' in raw;
  const parsed = signed ? SignedDecisionSchema.safeParse(raw) : AnalystDecisionSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'decision'}: ${i.message}`).join('; ');
    return { ok: false, reason: `malformed decision: ${issues}` };
  }
  return { ok: true, value: signed ? { signed: true, token: (parsed.data as SignedDecision).token } : { signed: false, decision: parsed.data as AnalystDecision } };
}

/**
 * The claims of a signed decision (a JWT): `sub` is the analyst, bound to this incident and to the
 * verdict it answers (the verdict's input digest), with an expiry and a one-time nonce (`jti`).
 */
export const DecisionClaimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: analystIdentity,
  decision: z.enum(['approve', 'reject']),
  incident: z.string().min(1).max(256),
  verdict: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'verdict must be the sha256 input digest of the verdict answered'),
  reason: z.string().max(2000).default(''),
  jti: z.string().min(16).max(128),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type DecisionClaims = z.infer<typeof DecisionClaimsSchema>;

/**
 * Every decision attempt, accepted or refused, is kept in the incident state (and so in history).
 * Bounded: the payload as sent is kept only as its digest and size, never in full.
 */
export const DecisionRecordSchema = z.object({
  accepted: z.boolean(),
  /** What was decided and by whom: the verified token's claims, or the plain payload's (then `signed` is false). */
  decision: AnalystDecisionSchema.nullable(),
  /** Whether the decision carried a verified signature. */
  signed: z.boolean().default(false),
  /** The token's one-time nonce, once verified (used nonces are refused again as replays). */
  nonce: z.string().nullable().default(null),
  /** sha256 of the payload as received (its JSON text), and that text's length; null for the timeout record. */
  payloadDigest: z.string().nullable().default(null),
  payloadBytes: z.number().int().nonnegative().default(0),
  refusal: z.string().nullable(),
  via: z.enum(['signal', 'update', 'timeout']),
  at: z.string(),
  /** The policy that allowed or refused it (null when refused before policy was asked). */
  policyVersion: z.string().nullable().optional(),
  /** The policy's reasons (refusal codes, or why a timeout applied). */
  reasons: z.array(ReasonSchema).optional(),
  /** Digest of what policy was asked, so the decision can be re-evaluated later. */
  inputDigest: z.string().nullable().optional(),
  /** The roles the analyst needed (the verdict's, raised by policy for protected assets). */
  requiredRoles: z.array(z.string()).optional(),
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;

/** Refused attempts kept per incident; past this they are only counted, so spam cannot grow history without bound. */
export const MAX_REFUSED_DECISION_RECORDS = 50;

/**
 * Each decision record is also upserted into the workflow memo under this key, so every one of them
 * (refusals before policy included) is an event in the history that `vigil audit` reads.
 */
export const DECISION_MEMO_KEY = 'vigilDecision';
