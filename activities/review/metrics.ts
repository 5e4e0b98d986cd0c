import type { Verdict } from '../../contracts';
import { FLAG_DISPOSITIONS } from '../../contracts';
import { counter, gauge, histogram, incidentCounter, metricGroup } from '../../lib/metrics';
import { FLAGGED_ACTIONS_METRIC } from '../../lib/metrics-compliance';
import type { PolicyFailure } from './verdict-engine';

/**
 * The review agent's metrics, obtained together (the review worker does so at start, so every
 * family is on its /metrics before the first incident). `vigil_review_flagged_actions_total` is
 * what the step-mutation intervention rate is built from: mutated / (mutated + blocked + passed).
 * Verdicts by outcome (`verdictsByOutcome`, below) are counted where every skill reply is, the review
 * skill's `observe` hook, with the trace id as exemplar.
 */
export const reviewMetrics = metricGroup({
  flaggedActions: counter(
    { name: FLAGGED_ACTIONS_METRIC, help: 'Proposed steps a policy rule objected to, by what became of them', labelNames: ['disposition'] as const },
    // Every series exists from the start, so the rate is defined (0) before the first flag.
    (c) => {
      for (const disposition of FLAG_DISPOSITIONS) c.inc({ disposition }, 0);
    },
  ),
  mutations: counter({ name: 'vigil_review_mutations_total', help: 'Steps rewritten by a mutation rule', labelNames: ['code'] as const }),
  decisions: counter({ name: 'vigil_review_decisions_total', help: 'Analyst decisions checked against policy', labelNames: ['allowed'] as const }),
  tokenRefusals: counter({
    name: 'vigil_decision_token_refusals_total',
    help: 'Signed decisions refused before policy (bad signature, expired, wrong incident or verdict, ...), by reason',
    labelNames: ['code'] as const,
  }),
  policyErrors: counter({ name: 'vigil_policy_errors_total', help: 'Policy evaluations that failed closed, by kind', labelNames: ['entrypoint', 'kind'] as const }),
  evaluationSeconds: histogram({
    name: 'vigil_policy_evaluation_seconds',
    help: 'Policy evaluation latency, validation included',
    labelNames: ['entrypoint'] as const,
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1, 5],
  }),
  suppressed: counter({ name: 'vigil_review_suppressed_total', help: 'Findings auto-rejected because an analyst suppression in policy data covers them' }),
  bundle: gauge({ name: 'vigil_policy_bundle_info', help: 'The policy bundle in force (1)', labelNames: ['version'] as const }),
});

/** Obtained on the first verdict, like every skill's business metric, rather than with the group at start. */
export const verdictsByOutcome = incidentCounter('vigil_verdicts_total', 'Review verdicts by outcome (auto_execute, auto_reject, escalate).', ['outcome']);

export function countVerdict(v: Verdict): void {
  const m = reviewMetrics();
  for (const f of v.flagged) m.flaggedActions.inc({ disposition: f.disposition });
  for (const mutation of v.mutations) m.mutations.inc({ code: mutation.code });
  if (v.suppressions?.length) m.suppressed.inc();
}

export function countPolicyFailure(entrypoint: string, kind: PolicyFailure): void {
  reviewMetrics().policyErrors.inc({ entrypoint, kind });
}

export function showBundle(version: string): void {
  const { bundle } = reviewMetrics();
  bundle.reset();
  bundle.set({ version }, 1);
}
