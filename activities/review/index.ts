import { z } from 'zod';
import type { AgentMessage, AnalystDecision, Verdict } from '../../contracts';
import { AGENTS, AnalysisSchema, AnomalySchema, AssetSchema, assetOf, FalcoAlertSchema, SEVERITIES } from '../../contracts';
import { parseSubmittedDecision } from '../../contracts/decision';
import { payloadFingerprint } from '../../contracts/sha256';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, invalidInput, runSkill } from '../../lib/agent-core';
import { canonicalJson } from '../../lib/canonical-json';
import type { Logger } from '../../lib/logger';
import { count } from '../../lib/metrics';
import { originOf } from '../../lib/trust/anomaly-signature';
import type { TrustedIssuer } from '../../lib/trust/decision-token';
import { verifyDecisionToken } from '../../lib/trust/decision-token';
import type { Signer, Verifier } from '../../lib/trust/signing';
import { signVerdict } from '../../lib/trust/verdict-signature';
import { coordinatorMetrics } from '../../workers/coordinator/metrics';
import { countPolicyFailure, countVerdict, reviewMetrics, verdictsByOutcome } from './metrics';
import { withOrigin } from './origin-trust';
import type { PolicyBundle } from './policy-bundle';
import { ENTRYPOINTS } from './policy-bundle';
import type { AuthorityResult } from './verdict-engine';
import { digest, evaluateAuthority, evaluateVerdict, verdictInput } from './verdict-engine';

export const ReviewInputSchema = z.object({
  anomaly: AnomalySchema,
  analysis: AnalysisSchema,
  asset: AssetSchema,
  /** Earlier alerts of the incident (same workload), oldest first: a chain weighs more than one alert. */
  chain: z.array(FalcoAlertSchema).max(64).optional(),
});
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

/**
 * What the coordinator asks about one decision: the payload exactly as it arrived (a signed token,
 * or a plain decision policy will most likely refuse), and the verdict it must answer. The incident
 * is the message's context id.
 */
export const AuthorizeInputSchema = z.object({
  submitted: z.unknown(),
  verdictDigest: z.string().min(1),
  requiredRole: z.string().min(1),
  asset: AssetSchema,
  severity: z.enum(SEVERITIES),
  actions: z.array(z.string()),
});
export type AuthorizeInput = z.infer<typeof AuthorizeInputSchema>;

/** The policy's answer, with what was decided and by whom as the verified token says (never the payload). */
export interface AuthorizeResult extends AuthorityResult {
  decision: AnalystDecision | null;
  signed: boolean;
  /** The token's one-time nonce; the coordinator refuses it a second time in the same incident. */
  nonce: string | null;
}

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
      const timer = reviewMetrics().evaluationSeconds.startTimer({ entrypoint: ENTRYPOINTS.verdict });
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
    observe: (_input, verdict, traceId) => count(verdictsByOutcome(), { labels: { outcome: verdict.outcome }, traceId }),
  });
}

/** Refused before policy was asked (malformed, or a token that does not verify): the reason, never the payload. */
function refusedBeforePolicy(policy: PolicySource, submitted: unknown, input: AuthorizeInput, code: string, message: string): AuthorizeResult {
  return {
    allowed: false,
    reasons: [{ code, message }],
    policyVersion: policy.current()?.version ?? 'none',
    inputDigest: digest({ payload: payloadFingerprint(submitted).payloadDigest, verdictDigest: input.verdictDigest }),
    requiredRoles: [input.requiredRole],
    approvalsNeeded: 1,
    rejectsNeeded: 1,
    quorumRules: [],
    decision: null,
    signed: false,
    nonce: null,
  };
}

/**
 * Verifies a decision (signature, issuer, expiry, incident, verdict) and then asks policy whether
 * that analyst may make it. A plain decision goes to policy as unsigned, which refuses it unless
 * the namespace accepts unsigned decisions.
 */
export function authoritySkill(policy: PolicySource, issuers: readonly TrustedIssuer[]): AgentSkill<AuthorizeInput, AuthorizeResult> {
  return defineSkill('review', SKILLS.authorizeDecision, {
    description: 'Whether a decision is signed by a trusted analyst for this incident and verdict, and whether policy lets that analyst make it (with the quorum it needs).',
    input: AuthorizeInputSchema,
    handle: async (input, ctx) => {
      const parsed = parseSubmittedDecision(input.submitted);
      if (!parsed.ok) return refusedBeforePolicy(policy, input.submitted, input, 'malformed_decision', parsed.reason);
      let decision: AnalystDecision;
      let nonce: string | null = null;
      if (parsed.value.signed) {
        const verified = await verifyDecisionToken(parsed.value.token, issuers, { incidentId: ctx.incidentId, verdictDigest: input.verdictDigest });
        if (!verified.ok) {
          reviewMetrics().tokenRefusals.inc({ code: verified.code });
          ctx.log.warn({ refusal: verified.code }, 'decision token refused');
          return refusedBeforePolicy(policy, input.submitted, input, verified.code, verified.message);
        }
        decision = verified.decision;
        nonce = verified.nonce;
      } else {
        decision = parsed.value.decision;
      }
      const signed = parsed.value.signed;
      const timer = reviewMetrics().evaluationSeconds.startTimer({ entrypoint: ENTRYPOINTS.decision });
      const result = await evaluateAuthority(
        policy.current(),
        { decision, signed, requiredRole: input.requiredRole, asset: input.asset, severity: input.severity, actions: input.actions, incidentId: ctx.incidentId },
        hooks,
      );
      timer();
      reviewMetrics().decisions.inc({ allowed: String(result.allowed) });
      ctx.log.info(
        { analyst: decision.analyst, signed, allowed: result.allowed, reasons: result.reasons.map((r) => r.code), approvalsNeeded: result.approvalsNeeded, policyVersion: result.policyVersion },
        'decision authority',
      );
      return { ...result, decision, signed, nonce };
    },
    // Accepted decisions are counted by the coordinator, once the escalation is settled; a refusal only this skill sees.
    observe: (_input, result, traceId) => {
      if (!result.allowed) count(coordinatorMetrics.decisions(), { labels: { outcome: 'refused' }, traceId });
    },
  });
}

export function createReviewActivities(deps: { policy: PolicySource; log: Logger; trust: ReviewTrust; issuers: readonly TrustedIssuer[] }) {
  const review = reviewSkill(deps.policy, deps.trust);
  const authority = authoritySkill(deps.policy, deps.issuers);
  return {
    [SKILLS.review.activity]: (message: AgentMessage<ReviewInput>): Promise<AgentMessage<Verdict>> => runSkill(review, message, deps.log),
    [SKILLS.authorizeDecision.activity]: (message: AgentMessage<AuthorizeInput>): Promise<AgentMessage<AuthorizeResult>> => runSkill(authority, message, deps.log),
  };
}
export type ReviewActivities = ReturnType<typeof createReviewActivities>;
export type { AuthorityResult };
