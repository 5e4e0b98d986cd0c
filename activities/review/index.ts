import { z } from 'zod';
import type { AgentMessage, Verdict } from '../../contracts';
import { AGENTS, AnalysisSchema, AnomalySchema, AssetSchema, assetOf, FalcoAlertSchema } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, invalidInput, runSkill } from '../../lib/agent-core';
import { canonicalJson } from '../../lib/canonical-json';
import type { Logger } from '../../lib/logger';
import { count, metrics } from '../../lib/metrics';
import { originOf } from '../../lib/trust/anomaly-signature';
import type { Signer, Verifier } from '../../lib/trust/signing';
import { signVerdict } from '../../lib/trust/verdict-signature';
import { countPolicyFailure, countVerdict, reviewMetrics } from './metrics';
import { withOrigin } from './origin-trust';
import type { PolicyBundle } from './policy-bundle';
import { ENTRYPOINTS } from './policy-bundle';
import type { AuthorityInput, AuthorityResult } from './verdict-engine';
import { AuthorityInputSchema, evaluateAuthority, evaluateVerdict, verdictInput } from './verdict-engine';

export const ReviewInputSchema = z.object({
  anomaly: AnomalySchema,
  analysis: AnalysisSchema,
  asset: AssetSchema,
  /** Earlier alerts of the incident (same workload), oldest first: a chain weighs more than one alert. */
  chain: z.array(FalcoAlertSchema).max(64).optional(),
});
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

export const AuthorizeInputSchema = AuthorityInputSchema;
export type AuthorizeInput = AuthorityInput;

/** The policy the review agent currently enforces; swapped atomically on reload. */
export interface PolicySource {
  current(): PolicyBundle | null;
}

const hooks = { onFailure: countPolicyFailure };
const SKILLS = AGENTS.review.skills;

/** The review agent's keys: its own, to sign verdicts remediation will check, and the gate's public key, to know who opened an incident. */
export interface ReviewTrust {
  signer: Signer;
  /** Null when no gate key is configured: every incident is then untrusted (escalates, never auto-executes). */
  gate: Verifier | null;
}

export function reviewSkill(policy: PolicySource, trust: ReviewTrust): AgentSkill<ReviewInput, Verdict> {
  return defineSkill('review', SKILLS.review, {
    description: 'Deterministic policy verdict (auto_execute, auto_reject, escalate) on an analysis, from Rego compiled to wasm; may rewrite steps into safer ones.',
    input: ReviewInputSchema,
    handle: async ({ anomaly, analysis, asset, chain }, ctx) => {
      // The signed verdict names the asset remediation may touch: it must be the alert's own.
      if (canonicalJson(AssetSchema.parse(assetOf(anomaly.alert))) !== canonicalJson(asset)) throw invalidInput('review: the asset is not the one the alert names');
      const timer = reviewMetrics.evaluationSeconds.startTimer({ entrypoint: ENTRYPOINTS.verdict });
      const origin = originOf(trust.gate, ctx.incidentId, anomaly);
      const judged = withOrigin(await evaluateVerdict(policy.current(), verdictInput(ctx.incidentId, anomaly, analysis, asset, { chain, now: new Date() }), hooks), origin);
      const verdict = signVerdict(trust.signer, ctx.incidentId, asset, judged);
      timer();
      countVerdict(verdict);
      ctx.log.info(
        {
          verdict: {
            outcome: verdict.outcome,
            reasons: verdict.reasons.map((r) => r.code),
            mutations: verdict.mutations.map((m) => `${m.actionId}:${m.code}`),
            evidence: verdict.evidence?.weight ?? null,
            suppressions: verdict.suppressions ?? [],
            policyVersion: verdict.policyVersion,
            inputDigest: verdict.inputDigest,
            originTrusted: verdict.originTrusted,
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

export function createReviewActivities(deps: { policy: PolicySource; log: Logger; trust: ReviewTrust }) {
  const review = reviewSkill(deps.policy, deps.trust);
  const authority = authoritySkill(deps.policy);
  return {
    [SKILLS.review.activity]: (message: AgentMessage<ReviewInput>): Promise<AgentMessage<Verdict>> => runSkill(review, message, deps.log),
    [SKILLS.authorizeDecision.activity]: (message: AgentMessage<AuthorizeInput>): Promise<AgentMessage<AuthorityResult>> => runSkill(authority, message, deps.log),
  };
}
export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { AuthorityResult };
