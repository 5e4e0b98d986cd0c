import { z } from 'zod';
import { ReasonSchema } from './verdict';

/**
 * An analyst's answer to an escalation, as sent by the Temporal UI, `temporal workflow signal`
 * or `vigil approve|reject`. Strict: unknown keys are refused so a typo is not silently ignored.
 */
export const AnalystDecisionSchema = z
  .object({
    decision: z.enum(['approve', 'reject']),
    analyst: z
      .string()
      .min(1, 'analyst is required')
      .max(128)
      .regex(/^[A-Za-z0-9._@+-]+$/, 'analyst must be a plain identity (letters, digits, . _ @ + -)'),
    reason: z.string().max(2000).default(''),
  })
  .strict();
export type AnalystDecision = z.infer<typeof AnalystDecisionSchema>;
export type AnalystDecisionInput = z.input<typeof AnalystDecisionSchema>;

/** Every decision attempt, accepted or refused, is kept in the incident state (and so in history). */
export const DecisionRecordSchema = z.object({
  accepted: z.boolean(),
  decision: AnalystDecisionSchema.nullable(),
  raw: z.unknown(),
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

/**
 * Each decision record is also upserted into the workflow memo under this key, so every one of them
 * (refusals before policy included) is an event in the history that `vigil audit` reads.
 */
export const DECISION_MEMO_KEY = 'vigilDecision';
