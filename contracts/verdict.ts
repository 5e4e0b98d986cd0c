import { z } from 'zod';
import { ProposedActionSchema } from './action';

export const VERDICT_OUTCOMES = ['auto_execute', 'auto_reject', 'escalate'] as const;
export type VerdictOutcome = (typeof VERDICT_OUTCOMES)[number];

export const ReasonSchema = z.object({ code: z.string().min(1), message: z.string() });
export type Reason = z.infer<typeof ReasonSchema>;

export const MutationSchema = z.object({
  actionId: z.string(),
  from: ProposedActionSchema,
  to: ProposedActionSchema,
  reason: z.string(),
});
export type Mutation = z.infer<typeof MutationSchema>;

/** What happens when nobody decides in time: policy data, per severity. */
export const EscalationSchema = z.object({
  timeoutSeconds: z.number().int().positive(),
  onTimeout: z.enum(['auto_reject', 'auto_execute']),
  requiredRole: z.string().min(1),
});
export type Escalation = z.infer<typeof EscalationSchema>;

export const VerdictSchema = z.object({
  outcome: z.enum(VERDICT_OUTCOMES),
  reasons: z.array(ReasonSchema),
  /** Steps that would run on execute, already mutated where policy rewrote them. */
  allowedActions: z.array(ProposedActionSchema),
  rejectedActions: z.array(z.object({ action: ProposedActionSchema, reason: z.string() })),
  mutations: z.array(MutationSchema),
  escalation: EscalationSchema.nullable(),
  policyVersion: z.string(),
  inputDigest: z.string(),
});
export type Verdict = z.infer<typeof VerdictSchema>;
