import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Analysis, Anomaly, Asset, ProposedAction, Severity, Verdict } from '../../contracts';
import { EscalationSchema, MutationSchema, ProposedActionSchema, ReasonSchema, VERDICT_OUTCOMES } from '../../contracts';
import { canonicalJson } from '../../lib/canonical-json';
import type { PolicyBundle } from './policy-bundle';
import { ENTRYPOINTS } from './policy-bundle';

export interface VerdictInput {
  incident: { id: string; severity: Severity; asset: Asset };
  alert: { rule: string; priority: string; source: string; tags: string[] };
  anomaly: { score: number };
  analysis: Analysis;
}

/** What Rego must return; anything else is a policy error, never a guess. */
const PolicyVerdictSchema = z.object({
  outcome: z.enum(VERDICT_OUTCOMES),
  reasons: z.array(ReasonSchema).min(1),
  allowedActions: z.array(ProposedActionSchema),
  rejectedActions: z.array(z.object({ action: ProposedActionSchema, reason: z.string() })),
  mutations: z.array(MutationSchema),
  escalation: EscalationSchema.nullable(),
});

export function digest(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

export function verdictInput(incidentId: string, anomaly: Anomaly, analysis: Analysis, asset: Asset): VerdictInput {
  return {
    incident: { id: incidentId, severity: analysis.severity, asset },
    alert: { rule: anomaly.alert.rule, priority: anomaly.alert.priority, source: anomaly.alert.source ?? 'syscall', tags: anomaly.alert.tags ?? [] },
    anomaly: { score: anomaly.score },
    analysis,
  };
}

/** Fail closed: a broken policy escalates to a senior analyst and never executes on its own. */
export function policyErrorVerdict(message: string, actions: ProposedAction[], version: string, inputDigest: string): Verdict {
  return {
    outcome: 'escalate',
    reasons: [{ code: 'policy_error', message }],
    allowedActions: actions,
    rejectedActions: [],
    mutations: [],
    escalation: { timeoutSeconds: 3600, onTimeout: 'auto_reject', requiredRole: 'senior' },
    policyVersion: version,
    inputDigest,
  };
}

export function evaluateVerdict(bundle: PolicyBundle | null, input: VerdictInput): Verdict {
  const inputDigest = digest(input);
  if (!bundle) return policyErrorVerdict('no policy bundle is loaded', input.analysis.actions, 'none', inputDigest);
  let raw: unknown;
  try {
    raw = bundle.evaluate(ENTRYPOINTS.verdict, input);
  } catch (err) {
    return policyErrorVerdict(`policy evaluation failed: ${(err as Error).message}`, input.analysis.actions, bundle.version, inputDigest);
  }
  if (raw === undefined) return policyErrorVerdict('policy returned no verdict (undefined)', input.analysis.actions, bundle.version, inputDigest);
  const parsed = PolicyVerdictSchema.safeParse(raw);
  if (!parsed.success) {
    return policyErrorVerdict(`policy returned a malformed verdict: ${parsed.error.issues[0]?.message ?? 'invalid'}`, input.analysis.actions, bundle.version, inputDigest);
  }
  if (parsed.data.outcome === 'escalate' && !parsed.data.escalation) {
    return policyErrorVerdict('policy escalated without escalation terms', input.analysis.actions, bundle.version, inputDigest);
  }
  return { ...parsed.data, policyVersion: bundle.version, inputDigest };
}

export interface AuthorityInput {
  decision: { decision: string; analyst: string; reason: string };
  requiredRole: string;
  asset: Asset;
  severity: Severity;
}

export interface AuthorityResult {
  allowed: boolean;
  reasons: Array<{ code: string; message: string }>;
  policyVersion: string;
}

const AuthoritySchema = z.object({ allowed: z.boolean(), reasons: z.array(ReasonSchema) });

/** Who may decide is policy too; any failure refuses the decision. */
export function evaluateAuthority(bundle: PolicyBundle | null, input: AuthorityInput): AuthorityResult {
  if (!bundle) return { allowed: false, reasons: [{ code: 'policy_error', message: 'no policy bundle is loaded' }], policyVersion: 'none' };
  try {
    const parsed = AuthoritySchema.safeParse(bundle.evaluate(ENTRYPOINTS.decision, input));
    if (!parsed.success) return { allowed: false, reasons: [{ code: 'policy_error', message: 'authority policy returned a malformed result' }], policyVersion: bundle.version };
    return { ...parsed.data, policyVersion: bundle.version };
  } catch (err) {
    return { allowed: false, reasons: [{ code: 'policy_error', message: `authority policy failed: ${(err as Error).message}` }], policyVersion: bundle.version };
  }
}
