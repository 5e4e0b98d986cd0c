import { register, Registry } from 'prom-client';
import { countPolicyFailure, countVerdict, reviewMetrics } from '../../../activities/review/metrics';
import type { Verdict } from '../../../contracts';

const step = { id: 's', actionner: 'kubernetes:terminate', target: { namespace: 'n', pod: 'p' }, params: {}, blastRadius: { scope: 'workload' as const, pods: 1 }, rationale: '' };

async function value(name: string, labels: Record<string, string>, registry: Registry = register): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('review metrics', () => {
  it('starts every flagged-action disposition at zero, so the intervention rate has a denominator series', async () => {
    const registry = new Registry();
    reviewMetrics(registry);
    for (const disposition of ['mutated', 'blocked', 'passed']) expect(await value('vigil_review_flagged_actions_total', { disposition }, registry)).toBe(0);
  });

  it('counts flagged steps by disposition, mutations by rule, and verdicts by outcome', async () => {
    const before = (await value('vigil_review_flagged_actions_total', { disposition: 'mutated' })) ?? 0;
    const verdict: Verdict = {
      outcome: 'auto_execute',
      reasons: [{ code: 'within_policy', message: '' }],
      allowedActions: [],
      rejectedActions: [],
      mutations: [{ actionId: 's', code: 'contain_instead_of_terminate', from: step, to: step, added: [], reason: '' }],
      flagged: [
        { actionId: 's', codes: ['blast_radius'], disposition: 'mutated' },
        { actionId: 't', codes: ['human_only_action'], disposition: 'passed' },
      ],
      escalation: null,
      policyVersion: 'v',
      inputDigest: 'd',
    };
    countVerdict(verdict);
    expect(await value('vigil_review_flagged_actions_total', { disposition: 'mutated' })).toBe(before + 1);
    expect(await value('vigil_review_flagged_actions_total', { disposition: 'passed' })).toBeGreaterThanOrEqual(1);
    expect(await value('vigil_review_mutations_total', { code: 'contain_instead_of_terminate' })).toBeGreaterThanOrEqual(1);
  });

  it('counts policy failures by entrypoint and kind', async () => {
    countPolicyFailure('vigil/review/verdict', 'timeout');
    expect(await value('vigil_policy_errors_total', { entrypoint: 'vigil/review/verdict', kind: 'timeout' })).toBe(1);
  });
});
