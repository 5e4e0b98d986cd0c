import { z } from 'zod';
import type { AgentMessage, Verdict } from '../../contracts';
import { AnalysisSchema, AnalystDecisionSchema, AnomalySchema, AssetSchema, SEVERITIES } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import type { PolicyBundle } from './policy-bundle';
import type { AuthorityResult } from './verdict-engine';
import { evaluateAuthority, evaluateVerdict, verdictInput } from './verdict-engine';

export const ReviewInputSchema = z.object({ anomaly: AnomalySchema, analysis: AnalysisSchema, asset: AssetSchema });
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

export const AuthorizeInputSchema = z.object({
  decision: AnalystDecisionSchema,
  requiredRole: z.string(),
  asset: AssetSchema,
  severity: z.enum(SEVERITIES),
});
export type AuthorizeInput = z.infer<typeof AuthorizeInputSchema>;

/** The policy the review agent currently enforces; swapped atomically on reload. */
export interface PolicySource {
  current(): PolicyBundle | null;
}

export function reviewSkill(policy: PolicySource): AgentSkill<ReviewInput, Verdict> {
  return {
    agent: 'review',
    skill: 'review',
    description: 'Deterministic policy verdict (auto_execute, auto_reject, escalate) on an analysis, from Rego compiled to wasm.',
    input: ReviewInputSchema,
    handle: async ({ anomaly, analysis, asset }, ctx) => {
      const verdict = evaluateVerdict(policy.current(), verdictInput(ctx.incidentId, anomaly, analysis, asset));
      ctx.log.info({ verdict: { outcome: verdict.outcome, reasons: verdict.reasons.map((r) => r.code), policyVersion: verdict.policyVersion } }, 'verdict');
      return verdict;
    },
  };
}

export function authoritySkill(policy: PolicySource): AgentSkill<AuthorizeInput, AuthorityResult> {
  return {
    agent: 'review',
    skill: 'authorize-decision',
    description: 'Whether an analyst may make this decision on this incident, by policy.',
    input: AuthorizeInputSchema,
    handle: async (input, ctx) => {
      const result = evaluateAuthority(policy.current(), input);
      ctx.log.info({ analyst: input.decision.analyst, allowed: result.allowed }, 'decision authority');
      return result;
    },
  };
}

export function createReviewActivities(deps: { policy: PolicySource; log: Logger }) {
  const review = reviewSkill(deps.policy);
  const authority = authoritySkill(deps.policy);
  return {
    async review(message: AgentMessage<ReviewInput>): Promise<AgentMessage<Verdict>> {
      return runSkill(review, message, deps.log);
    },
    async authorizeDecision(message: AgentMessage<AuthorizeInput>): Promise<AgentMessage<AuthorityResult>> {
      return runSkill(authority, message, deps.log);
    },
  };
}
export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { AuthorityResult };
