import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Analysis, Anomaly, Asset, FalcoAlert, ProposedAction, Reason, Severity, Verdict } from '../../contracts';
import {
  AnalysisSchema,
  AnalystDecisionSchema,
  AssetSchema,
  EscalationSchema,
  EvidenceSchema,
  FlaggedActionSchema,
  MutationSchema,
  ProposedActionSchema,
  ReasonSchema,
  SEVERITIES,
  VERDICT_OUTCOMES,
  workloadOf,
} from '../../contracts';
import { canonicalJson } from '../../lib/canonical-json';
import { errorMessage } from './bundle-files';
import type { PolicyBundle } from './policy-bundle';
import { ENTRYPOINTS, FALLBACK_ENTRYPOINTS } from './policy-bundle';
import { utcSeconds } from './policy-data';
import { PolicyTimeoutError } from './threaded-policy';

/**
 * The alert fields policy weighs as evidence (policies/vigil/evidence.rego): process, command
 * line, peers and ports, file. Only these are sent, each bounded, so a hostile alert cannot
 * make the policy input large.
 */
export const EVIDENCE_FIELDS = ['proc.name', 'proc.pname', 'proc.cmdline', 'proc.exepath', 'fd.name', 'fd.rip', 'fd.sip', 'fd.cip', 'fd.rport', 'fd.sport', 'container.image.repository', 'user.name', 'evt.type'] as const;
const FIELD_CHARS = 1024;

const PolicyAlertSchema = z.object({
  rule: z.string(),
  priority: z.string(),
  source: z.string().optional(),
  tags: z.array(z.string()),
  fields: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type PolicyAlert = z.infer<typeof PolicyAlertSchema>;

/** What the review policy reads; `vigil policy eval` validates input files against it. */
export const VerdictInputSchema = z.object({
  incident: z.object({ id: z.string().min(1), severity: z.enum(SEVERITIES), asset: AssetSchema }),
  alert: PolicyAlertSchema.extend({ source: z.string() }),
  anomaly: z.object({ score: z.number() }),
  analysis: AnalysisSchema,
  /** Alerts the incident joined before this one (same workload, one intrusion): evidence adds up. */
  chain: z.array(PolicyAlertSchema).max(64).optional(),
  /** The workload suppressions name (contracts/workload.ts). */
  workload: z.object({ namespace: z.string(), kind: z.string(), name: z.string() }).optional(),
  /** When the review runs, RFC 3339 UTC to the second: which suppressions are in force. */
  now: z.string().optional(),
});
export type VerdictInput = z.infer<typeof VerdictInputSchema>;

/**
 * What the authority policy reads; `vigil policy eval --decision` validates against it. `decision`
 * is what was decided (from a verified token when `signed`), `actions` the actionners the verdict
 * would run (the two-person rule keys on them).
 */
export const AuthorityInputSchema = z.object({
  decision: AnalystDecisionSchema,
  signed: z.boolean(),
  requiredRole: z.string().min(1),
  asset: AssetSchema,
  severity: z.enum(SEVERITIES),
  actions: z.array(z.string()),
  incidentId: z.string().min(1),
});
export type AuthorityInput = z.infer<typeof AuthorityInputSchema>;

/** What Rego must return; anything else is a policy error, never a guess. */
const PolicyVerdictSchema = z.object({
  outcome: z.enum(VERDICT_OUTCOMES),
  reasons: z.array(ReasonSchema).min(1),
  allowedActions: z.array(ProposedActionSchema),
  rejectedActions: z.array(z.object({ action: ProposedActionSchema, reason: z.string() })),
  mutations: z.array(MutationSchema),
  flagged: z.array(FlaggedActionSchema),
  escalation: EscalationSchema.nullable(),
  evidence: EvidenceSchema,
  suppressions: z.array(z.string()),
});

/** Ways a policy can fail; each yields `escalate` with reason `policy_error`, and is counted by kind. */
export const POLICY_FAILURES = ['no_bundle', 'evaluation_error', 'timeout', 'undefined', 'malformed'] as const;
export type PolicyFailure = (typeof POLICY_FAILURES)[number];

export function digest(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}

/** The alert as policy weighs it: rule, priority, tags and the evidence fields, each clipped. */
export function policyAlert(alert: FalcoAlert): PolicyAlert & { source: string } {
  const fields: Record<string, string | number> = {};
  for (const k of EVIDENCE_FIELDS) {
    const v = alert.output_fields[k];
    if (typeof v === 'string') fields[k] = v.slice(0, FIELD_CHARS);
    else if (typeof v === 'number') fields[k] = v;
  }
  return { rule: alert.rule, priority: alert.priority, source: alert.source ?? 'syscall', tags: alert.tags ?? [], fields };
}

export interface VerdictContext {
  /** Earlier alerts of the same incident, oldest first (at most the last 64 are weighed). */
  chain?: FalcoAlert[];
  /** The review's clock; suppressions expire against it. */
  now?: Date;
}

export function verdictInput(incidentId: string, anomaly: Anomaly, analysis: Analysis, asset: Asset, ctx: VerdictContext = {}): VerdictInput {
  const input: VerdictInput = {
    incident: { id: incidentId, severity: analysis.severity, asset },
    alert: policyAlert(anomaly.alert),
    anomaly: { score: anomaly.score },
    analysis,
    workload: workloadOf(anomaly.alert),
  };
  if (ctx.chain?.length) input.chain = ctx.chain.slice(-64).map(policyAlert);
  if (ctx.now) input.now = utcSeconds(ctx.now);
  return input;
}

/**
 * Fail closed: a broken policy escalates to a senior analyst and never executes on its own. What
 * an approval would run is what policy would have run (`steps`: the proposal after mutation, from
 * the mutation entrypoint), or nothing when even that cannot be computed — never the raw proposals.
 */
export function policyErrorVerdict(message: string, steps: ProposedAction[] | null, version: string, inputDigest: string): Verdict {
  const reasons: Reason[] = [{ code: 'policy_error', message }];
  if (!steps) reasons.push({ code: 'no_steps', message: 'policy could not say what would run, so approving runs nothing: act by hand or fix the policy' });
  return {
    outcome: 'escalate',
    reasons,
    allowedActions: steps ?? [],
    rejectedActions: [],
    mutations: [],
    flagged: [],
    escalation: { timeoutSeconds: 3600, onTimeout: 'auto_reject', requiredRole: 'senior', repage: true },
    policyVersion: version,
    inputDigest,
  };
}

/** The mutated steps, asked separately when the verdict failed; null when they cannot be had. */
async function mutatedSteps(bundle: PolicyBundle | null, input: VerdictInput): Promise<ProposedAction[] | null> {
  if (!bundle) return null;
  const r = await run(bundle, FALLBACK_ENTRYPOINTS.steps, input);
  if (!r.ok) return null;
  const parsed = z.array(ProposedActionSchema).max(64).safeParse(r.raw);
  return parsed.success ? parsed.data : null;
}

/** Runs an entrypoint and sorts any failure into a kind; `ok` carries the raw (still unvalidated) result. */
async function run(
  bundle: PolicyBundle | null,
  entrypoint: string,
  input: unknown,
): Promise<{ ok: true; raw: unknown } | { ok: false; kind: PolicyFailure; message: string }> {
  if (!bundle) return { ok: false, kind: 'no_bundle', message: 'no policy bundle is loaded' };
  try {
    const raw = await bundle.evaluate(entrypoint, input);
    if (raw === undefined) return { ok: false, kind: 'undefined', message: 'policy returned no result (undefined)' };
    return { ok: true, raw };
  } catch (err) {
    if (err instanceof PolicyTimeoutError) return { ok: false, kind: 'timeout', message: err.message };
    return { ok: false, kind: 'evaluation_error', message: `policy evaluation failed: ${errorMessage(err)}` };
  }
}

export interface EvaluationHooks {
  /** Told about every failure, e.g. to count it. */
  onFailure?(entrypoint: string, kind: PolicyFailure): void;
}

export async function evaluateVerdict(bundle: PolicyBundle | null, input: VerdictInput, hooks: EvaluationHooks = {}): Promise<Verdict> {
  const inputDigest = digest(input);
  const version = bundle?.version ?? 'none';
  const fail = async (kind: PolicyFailure, message: string) => {
    hooks.onFailure?.(ENTRYPOINTS.verdict, kind);
    return policyErrorVerdict(message, await mutatedSteps(bundle, input), version, inputDigest);
  };
  const r = await run(bundle, ENTRYPOINTS.verdict, input);
  if (!r.ok) return fail(r.kind, r.message);
  const parsed = PolicyVerdictSchema.safeParse(r.raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('malformed', `policy returned a malformed verdict: ${issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
  }
  if (parsed.data.outcome === 'escalate' && !parsed.data.escalation) return fail('malformed', 'policy escalated without escalation terms');
  return { ...parsed.data, policyVersion: version, inputDigest };
}

export interface AuthorityResult {
  allowed: boolean;
  reasons: Reason[];
  policyVersion: string;
  /** Digest of the authority input, recorded with the decision. */
  inputDigest: string;
  /** Every role the analyst needed (the verdict's, raised for protected assets and by quorum rules). */
  requiredRoles: string[];
  /** Distinct analysts who must approve (the two-person rule), and distinct rejects that end the wait. */
  approvalsNeeded: number;
  rejectsNeeded: number;
  /** The quorum rules that applied, by name. */
  quorumRules: string[];
}

const AuthoritySchema = z.object({
  allowed: z.boolean(),
  reasons: z.array(ReasonSchema),
  requiredRoles: z.array(z.string()).default([]),
  approvalsNeeded: z.number().int().min(1).max(5),
  rejectsNeeded: z.number().int().min(1).max(5),
  quorumRules: z.array(z.string()).default([]),
});

/** Who may decide is policy too; any failure refuses the decision. */
export async function evaluateAuthority(bundle: PolicyBundle | null, input: AuthorityInput, hooks: EvaluationHooks = {}): Promise<AuthorityResult> {
  const inputDigest = digest(input);
  const version = bundle?.version ?? 'none';
  const refuse = (kind: PolicyFailure, message: string): AuthorityResult => {
    hooks.onFailure?.(ENTRYPOINTS.decision, kind);
    return { allowed: false, reasons: [{ code: 'policy_error', message }], policyVersion: version, inputDigest, requiredRoles: [input.requiredRole], approvalsNeeded: 1, rejectsNeeded: 1, quorumRules: [] };
  };
  const r = await run(bundle, ENTRYPOINTS.decision, input);
  if (!r.ok) return refuse(r.kind, `authority ${r.message}`);
  const parsed = AuthoritySchema.safeParse(r.raw);
  if (!parsed.success) return refuse('malformed', 'authority policy returned a malformed result');
  if (parsed.data.allowed === (parsed.data.reasons.length > 0)) return refuse('malformed', 'authority policy result contradicts itself (allowed with reasons, or refused without)');
  return { ...parsed.data, policyVersion: version, inputDigest };
}
