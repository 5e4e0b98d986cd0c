import { Counter, Gauge, Histogram, register } from 'prom-client';
import type { Verdict } from '../../contracts';
import { FLAG_DISPOSITIONS } from '../../contracts';
import type { PolicyFailure } from './verdict-engine';

/** Reuses a metric already on the global registry (a second import must not throw). */
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * The review agent's metrics, on prom-client's global registry so they show on the worker's
 * /metrics. `vigil_review_flagged_actions_total` is what the step-mutation intervention rate is
 * built from: mutated / (mutated + blocked + passed). Verdicts by outcome are counted where every
 * skill reply is (`vigil_verdicts_total`, lib/metrics-observers.ts), with the trace id as exemplar.
 */
export const reviewMetrics = {
  flaggedActions: once('vigil_review_flagged_actions_total', () => {
    const c = new Counter({ name: 'vigil_review_flagged_actions_total', help: 'Proposed steps a policy rule objected to, by what became of them', labelNames: ['disposition'] as const });
    // Every series exists from the start, so the rate is defined (0) before the first flag.
    for (const disposition of FLAG_DISPOSITIONS) c.inc({ disposition }, 0);
    return c;
  }),
  mutations: once(
    'vigil_review_mutations_total',
    () => new Counter({ name: 'vigil_review_mutations_total', help: 'Steps rewritten by a mutation rule', labelNames: ['code'] as const }),
  ),
  decisions: once(
    'vigil_review_decisions_total',
    () => new Counter({ name: 'vigil_review_decisions_total', help: 'Analyst decisions checked against policy', labelNames: ['allowed'] as const }),
  ),
  tokenRefusals: once(
    'vigil_decision_token_refusals_total',
    () => new Counter({ name: 'vigil_decision_token_refusals_total', help: 'Signed decisions refused before policy (bad signature, expired, wrong incident or verdict, ...), by reason', labelNames: ['code'] as const }),
  ),
  policyErrors: once(
    'vigil_policy_errors_total',
    () => new Counter({ name: 'vigil_policy_errors_total', help: 'Policy evaluations that failed closed, by kind', labelNames: ['entrypoint', 'kind'] as const }),
  ),
  evaluationSeconds: once(
    'vigil_policy_evaluation_seconds',
    () =>
      new Histogram({
        name: 'vigil_policy_evaluation_seconds',
        help: 'Policy evaluation latency, validation included',
        labelNames: ['entrypoint'] as const,
        buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1, 5],
      }),
  ),
  suppressed: once(
    'vigil_review_suppressed_total',
    () => new Counter({ name: 'vigil_review_suppressed_total', help: 'Findings auto-rejected because an analyst suppression in policy data covers them' }),
  ),
  bundle: once('vigil_policy_bundle_info', () => new Gauge({ name: 'vigil_policy_bundle_info', help: 'The policy bundle in force (1)', labelNames: ['version'] as const })),
};

export function countVerdict(v: Verdict): void {
  for (const f of v.flagged) reviewMetrics.flaggedActions.inc({ disposition: f.disposition });
  for (const m of v.mutations) reviewMetrics.mutations.inc({ code: m.code });
  if (v.suppressions?.length) reviewMetrics.suppressed.inc();
}

export function countPolicyFailure(entrypoint: string, kind: PolicyFailure): void {
  reviewMetrics.policyErrors.inc({ entrypoint, kind });
}

export function showBundle(version: string): void {
  reviewMetrics.bundle.reset();
  reviewMetrics.bundle.set({ version }, 1);
}
