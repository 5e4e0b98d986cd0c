import { z } from 'zod';

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
});
export type DecisionRecord = z.infer<typeof DecisionRecordSchema>;
