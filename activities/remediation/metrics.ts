import { incidentCounter } from '../../lib/metrics';

/** The remediation agent's metrics, obtained by its skills' `observe` hooks (`index.ts`), so only the remediation process exports them. */
export const remediationMetrics = {
  actions: incidentCounter(
    'vigil_actions_total',
    'Remediation actions by actionner and status (executed = applied, dry_run, refused = by pre-flight or a guard, failed, skipped).',
    ['actionner', 'status'],
  ),
  actionReverts: incidentCounter(
    'vigil_action_reverts_total',
    'Writes undone by revert, by actionner, trigger (analyst = vigil revert, ttl = containment expired) and outcome (reverted, already_reverted, changed_since, irreversible, failed).',
    ['actionner', 'trigger', 'outcome'],
  ),
};
