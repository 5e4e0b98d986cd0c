import type { Escalation, Verdict } from '../../contracts';
import type { Origin } from '../../lib/trust/anomaly-signature';

/** Terms for an untrusted incident policy would have executed: a senior decides, and silence rejects. */
const UNTRUSTED_ESCALATION: Escalation = { timeoutSeconds: 3600, onTimeout: 'auto_reject', requiredRole: 'senior', repage: true };

/**
 * The review agent's floor under any policy: an incident the gate did not open (a hand-started
 * workflow, a forged or replayed anomaly) never executes on its own. Applied here, after Rego, so
 * no policy edit can lift it: `auto_execute` becomes `escalate`, an escalation's timeout outcome
 * becomes `auto_reject` and needs a senior, and the reason says why.
 */
export function withOrigin(verdict: Verdict, origin: Origin): Verdict {
  if (origin.trusted) return { ...verdict, originTrusted: true };
  const reasons = [...verdict.reasons, { code: 'untrusted_origin', message: `not opened by the gate: ${origin.reason}` }];
  if (verdict.outcome === 'auto_reject') return { ...verdict, reasons, originTrusted: false };
  const escalation = verdict.escalation ?? UNTRUSTED_ESCALATION;
  return { ...verdict, outcome: 'escalate', reasons, escalation: { ...escalation, onTimeout: 'auto_reject', requiredRole: 'senior' }, originTrusted: false };
}
