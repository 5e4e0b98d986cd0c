import type { Analysis, Escalation, Reason, Verdict } from '../../contracts';
import { sha256Hex } from '../../contracts/sha256';
import type { Incident } from './incident';

/** Terms for an escalation policy did not set (a failed step, or a verdict that named none): a senior, an hour, reject. */
export const DEFAULT_ESCALATION: Escalation = { timeoutSeconds: 3600, onTimeout: 'auto_reject', requiredRole: 'senior', repage: true };

/**
 * When even the deterministic analysis could not be had: an analysis that proposes nothing, so
 * review and the analyst judge the alert with nothing to run.
 */
export function emptyAnalysis(incident: Incident, why: string): Analysis {
  return {
    severity: incident.state.severity,
    technique: null,
    confidence: 0,
    summary: `No analysis: the analysis agent failed (${why.slice(0, 300)}). Judge the alert itself.`,
    actions: [],
    analyser: { kind: 'deterministic', version: 'none', fallback: true, note: why.slice(0, 1000) },
  };
}

/**
 * A review that failed past its retries: never a reason to act. The incident escalates with
 * nothing to run; its digest is its own (no policy input exists) so decisions can still bind to it.
 */
export function unreviewedVerdict(incident: Incident, why: string): Verdict {
  return {
    outcome: 'escalate',
    reasons: [{ code: 'review_failed', message: `the review agent failed, nothing may run without it: ${why.slice(0, 500)}` }],
    allowedActions: [],
    rejectedActions: [],
    mutations: [],
    flagged: [],
    escalation: DEFAULT_ESCALATION,
    policyVersion: 'none',
    inputDigest: `sha256:${sha256Hex(`unreviewed:${incident.id}:${why}`)}`,
  };
}

/** Failures that force an escalation whatever the verdict said: the analysis or the review could not be trusted to be complete. */
export function forcedEscalation(incident: Incident): Reason[] {
  const steps = new Set(incident.state.failures.map((f) => f.step));
  const reasons: Reason[] = [];
  if (steps.has('analysis')) reasons.push({ code: 'analysis_failed', message: 'the analysis agent failed; the deterministic analyser stood in' });
  if (steps.has('review')) reasons.push({ code: 'review_failed', message: 'the review agent failed' });
  return reasons;
}
