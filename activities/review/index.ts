import { z } from 'zod';
import type { AgentMessage, Verdict } from '../../contracts';
import { AGENTS, AnalysisSchema, AnomalySchema, AssetSchema } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { count, metrics } from '../../lib/metrics';
import { countPolicyFailure, countVerdict, reviewMetrics } from './metrics';
import type { PolicyBundle } from './policy-bundle';
import { ENTRYPOINTS } from './policy-bundle';
import type { AuthorityInput, AuthorityResult } from './verdict-engine';
import { AuthorityInputSchema, evaluateAuthority, evaluateVerdict, verdictInput } from './verdict-engine';

export const ReviewInputSchema = z.object({ anomaly: AnomalySchema, analysis: AnalysisSchema, asset: AssetSchema });
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

export const AuthorizeInputSchema = AuthorityInputSchema;
export type AuthorizeInput = AuthorityInput;

/** The policy the review agent currently enforces; swapped atomically on reload. */
export interface PolicySource {
  current(): PolicyBundle | null;
}

const hooks = { onFailure: countPolicyFailure };
const SKILLS = AGENTS.review.skills;

export function reviewSkill(policy: PolicySource): AgentSkill<ReviewInput, Verdict> {
  return defineSkill('review', SKILLS.review, {
    description: 'Deterministic policy verdict (auto_execute, auto_reject, escalate) on an analysis, from Rego compiled to wasm; may rewrite steps into safer ones.',
    input: ReviewInputSchema,
    handle: async ({ anomaly, analysis, asset }, ctx) => {
      const timer = reviewMetrics.evaluationSeconds.startTimer({ entrypoint: ENTRYPOINTS.verdict });
      const verdict = await evaluateVerdict(policy.current(), verdictInput(ctx.incidentId, anomaly, analysis, asset), hooks);
      timer();
      countVerdict(verdict);
      ctx.log.info(
        {
          verdict: {
            outcome: verdict.outcome,
            reasons: verdict.reasons.map((r) => r.code),
            mutations: verdict.mutations.map((m) => `${m.actionId}:${m.code}`),
            policyVersion: verdict.policyVersion,
            inputDigest: verdict.inputDigest,
          },
        },
        'verdict',
      );
      return verdict;
    },
    observe: (_input, verdict, traceId) => count(metrics.verdicts(), { labels: { outcome: verdict.outcome }, traceId }),
  });
}

export function authoritySkill(policy: PolicySource): AgentSkill<AuthorizeInput, AuthorityResult> {
  return defineSkill('review', SKILLS.authorizeDecision, {
    description: 'Whether an analyst may make this decision on this incident, by policy.',
    input: AuthorizeInputSchema,
    handle: async (input, ctx) => {
      const timer = reviewMetrics.evaluationSeconds.startTimer({ entrypoint: ENTRYPOINTS.decision });
      const result = await evaluateAuthority(policy.current(), input, hooks);
      timer();
      reviewMetrics.decisions.inc({ allowed: String(result.allowed) });
      ctx.log.info({ analyst: input.decision.analyst, allowed: result.allowed, reasons: result.reasons.map((r) => r.code), policyVersion: result.policyVersion }, 'decision authority');
      return result;
    },
    // Accepted decisions are counted by the coordinator, once the escalation is settled.
    observe: (_input, result, traceId) => {
      if (!result.allowed) count(metrics.decisions(), { labels: { outcome: 'refused' }, traceId });
    },
  });
}

export function createReviewActivities(deps: { policy: PolicySource; log: Logger }) {
  const review = reviewSkill(deps.policy);
  const authority = authoritySkill(deps.policy);
  return {
    [SKILLS.review.activity]: (message: AgentMessage<ReviewInput>): Promise<AgentMessage<Verdict>> => runSkill(review, message, deps.log),
    [SKILLS.authorizeDecision.activity]: (message: AgentMessage<AuthorizeInput>): Promise<AgentMessage<AuthorityResult>> => runSkill(authority, message, deps.log),
  };
}
export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { AuthorityResult };
