import { z } from 'zod';
import { ProposedActionSchema } from './action';

export const VERDICT_OUTCOMES = ['auto_execute', 'auto_reject', 'escalate'] as const;
export type VerdictOutcome = (typeof VERDICT_OUTCOMES)[number];

export const ReasonSchema = z.object({ code: z.string().min(1), message: z.string() });
export type Reason = z.infer<typeof ReasonSchema>;

/** A step the policy rewrote into a safer one: which, from what, to what, why (and any step it added). */
export const MutationSchema = z.object({
  actionId: z.string(),
  /** The policy rule that rewrote the step, e.g. `contain_instead_of_terminate`. */
  code: z.string().default('mutation'),
  from: ProposedActionSchema,
  to: ProposedActionSchema,
  /** Steps the rewrite needs besides `to` (e.g. a quarantine label); also in `allowedActions`. */
  added: z.array(ProposedActionSchema).default([]),
  reason: z.string(),
});
export type Mutation = z.infer<typeof MutationSchema>;

/** What happens when nobody decides in time: policy data, per severity. */
export const EscalationSchema = z.object({
  timeoutSeconds: z.number().int().positive(),
  onTimeout: z.enum(['auto_reject', 'auto_execute']),
  requiredRole: z.string().min(1),
  /** Page again when the wait expires; absent (older verdicts) means yes. */
  repage: z.boolean().optional(),
});
export type Escalation = z.infer<typeof EscalationSchema>;

export const FLAG_DISPOSITIONS = ['mutated', 'blocked', 'passed'] as const;
export type FlagDisposition = (typeof FLAG_DISPOSITIONS)[number];

/**
 * A proposed step some rule objected to, and what became of it: rewritten (`mutated`), refused
 * (`blocked`, the verdict rejected), or left as proposed for an analyst (`passed`).
 */
export const FlaggedActionSchema = z.object({
  actionId: z.string(),
  codes: z.array(z.string()).min(1),
  disposition: z.enum(FLAG_DISPOSITIONS),
});
export type FlaggedAction = z.infer<typeof FlaggedActionSchema>;

/** What the policy weighed as evidence of compromise (policies/vigil/evidence.rego). */
export const EvidenceSchema = z.object({
  weight: z.number(),
  findings: z.array(z.object({ code: z.string(), weight: z.number(), message: z.string() })),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const VerdictSchema = z.object({
  outcome: z.enum(VERDICT_OUTCOMES),
  reasons: z.array(ReasonSchema),
  /** Steps that would run on execute, already mutated where policy rewrote them. */
  allowedActions: z.array(ProposedActionSchema),
  rejectedActions: z.array(z.object({ action: ProposedActionSchema, reason: z.string() })),
  mutations: z.array(MutationSchema),
  flagged: z.array(FlaggedActionSchema).default([]),
  escalation: EscalationSchema.nullable(),
  /** Absent on a policy error and on verdicts recorded before evidence was weighed. */
  evidence: EvidenceSchema.optional(),
  /** Ids of the suppressions that auto-rejected this finding. */
  suppressions: z.array(z.string()).optional(),
  policyVersion: z.string(),
  inputDigest: z.string(),
  /** Whether the gate opened this incident (its signed anomaly); false forces escalation, never execution. */
  originTrusted: z.boolean().optional(),
  /** The review agent's Ed25519 signature over this verdict, the incident and its asset (lib/trust/verdict-signature.ts). */
  signature: z.string().max(200).optional(),
});
export type Verdict = z.infer<typeof VerdictSchema>;
