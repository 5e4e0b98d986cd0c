import type { ActionTarget, Asset, ProposedAction, Verdict } from '../../contracts';
import { ActionTargetSchema, FAILURE_TYPES, ProposedActionSchema } from '../../contracts';
import { ApplicationFailure } from '@temporalio/common';
import { canonicalJson } from '../../lib/canonical-json';
import type { Verifier } from '../../lib/trust/signing';
import { verdictSignatureProblem } from '../../lib/trust/verdict-signature';

/** What a remediation request must carry: the actions, and the signed verdict and asset that allow them. */
export interface Mandate {
  incidentId: string;
  asset: Asset;
  verdict: Verdict;
  actions: readonly ProposedAction[];
}

/** Same namespace, same pod (the asset's, when it names one), no other node: the incident's own asset and nothing else. */
export function targetProblem(target: ActionTarget, asset: Asset): string | null {
  const parsed = ActionTargetSchema.safeParse(target);
  // A name the contract refuses is a refusal here too, never a crash.
  if (!parsed.success) return `target namespace "${String(target.namespace)}", pod "${String(target.pod ?? '(none)')}" is not a valid Kubernetes name`;
  const t = parsed.data;
  if (!asset.namespace) return 'the incident names no namespace, so no action can be aimed at it';
  if (t.namespace !== asset.namespace) return `target namespace "${t.namespace}" is not the incident's "${asset.namespace}"`;
  if (asset.pod ? t.pod !== asset.pod : t.pod !== undefined) return `target pod "${t.pod ?? '(none)'}" is not the incident's "${asset.pod ?? '(none)'}"`;
  if (t.node !== undefined && t.node !== asset.node) return `target node "${t.node}" is not the incident's "${asset.node ?? '(none)'}"`;
  return null;
}

/**
 * Why these actions may not run, or null when they may: the review agent signed this verdict for
 * this incident and asset, it is not a rejection, every action is exactly one of its allowed steps
 * (byte for byte, params included), and every target is the incident's own asset.
 */
export function mandateProblem(verifier: Verifier, m: Mandate): string | null {
  const signature = verdictSignatureProblem(verifier, m.incidentId, m.asset, m.verdict);
  if (signature) return `verdict refused: ${signature}`;
  if (m.verdict.outcome === 'auto_reject') return 'verdict refused: it rejects the response';
  const allowed = new Set(m.verdict.allowedActions.map((a) => canonicalJson(ProposedActionSchema.parse(a))));
  for (const action of m.actions) {
    if (!allowed.has(canonicalJson(ProposedActionSchema.parse(action)))) return `action ${action.id} (${action.actionner}) is not a step of the signed verdict`;
    const target = targetProblem(action.target, m.asset);
    if (target) return `action ${action.id} (${action.actionner}): ${target}`;
  }
  return null;
}

/** The one call at the entry of the remediate skill: refuses the whole request, non-retryably and loudly, unless it is mandated. */
export function requireMandate(verifier: Verifier, m: Mandate): void {
  const problem = mandateProblem(verifier, m);
  if (problem) throw ApplicationFailure.create({ type: FAILURE_TYPES.policyDenied, message: `remediation refused: ${problem}`, nonRetryable: true });
}
