import { z } from 'zod';
import { BLAST_SCOPES, SEVERITIES } from '../../contracts';
import { issueLines } from '../../contracts';

/**
 * The shape of policies/data.json. Keys the Rego reads are required and checked here, so a typo or
 * a wrong type is a clear load error (the previous bundle stays in force) instead of a policy that
 * silently reads `undefined`. Unknown keys are allowed: other readers (the gate) keep their own.
 */
const actionner = z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, 'actionner must be category:name');
const perSeverity = <T extends z.ZodType>(value: T) => z.object(Object.fromEntries(SEVERITIES.map((s) => [s, value])) as Record<(typeof SEVERITIES)[number], T>);
const identity = z.string().regex(/^[A-Za-z0-9._@+-]+$/, 'analyst must be a plain identity (letters, digits, . _ @ + -)');
const labelKey = z.string().max(253).regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'not a valid label key');
const labelValue = z.string().max(63).regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'not a valid label value');

export const PolicyConfigSchema = z.object({
  min_confidence: z.number().min(0).max(1),
  always_escalate_namespaces: z.array(z.string().min(1)),
  customer_facing_workloads: z.array(z.object({ namespace: z.string().min(1), workload: z.string().min(1) })),
  notify_only_severities: z.array(z.enum(SEVERITIES)),
  allowed_actions: perSeverity(z.array(actionner)),
  human_only_actions: z.array(actionner),
  blast_radius: z.object({ max_pods: z.number().int().min(0), allowed_scopes: z.array(z.enum(BLAST_SCOPES)).min(1) }),
  mutations: z.object({
    contain_instead_of_terminate: z.object({ enabled: z.boolean() }),
    narrow_isolation_to_pod: z.object({ enabled: z.boolean() }),
  }),
  quarantine_labels: z.record(labelKey, labelValue).refine((l) => Object.keys(l).length > 0, 'at least one label'),
  escalation: perSeverity(
    z.object({
      timeout_seconds: z.number().int().positive(),
      on_timeout: z.enum(['auto_reject', 'auto_execute']),
      repage: z.boolean(),
    }),
  ),
  required_roles: z.object({ default: z.string().min(1), protected: z.string().min(1), human_only: z.string().min(1) }),
  analysts: z.record(
    identity,
    z.object({ roles: z.array(z.string().min(1)).min(1), teams: z.array(z.string().min(1)), active: z.boolean().optional() }),
  ),
  namespace_teams: z.record(z.string().min(1), z.string().min(1)),
  forbid_own_team_decisions: z.boolean(),
  /** Namespaces whose incidents accept a plain (unsigned) decision; none by default, the demo included. */
  unsigned_decisions: z.object({ namespaces: z.array(z.string().min(1)) }),
  /**
   * The two-person rule: how many distinct analysts must approve. Every rule whose conditions all
   * hold (an allowed action by one of `actionners`, one of `severities`, a customer-facing or a
   * protected asset, one of `namespaces`; an absent condition always holds) raises the count to its
   * `approvals` and requires its `role` of each approver. `rejects_to_end` distinct rejects end it.
   */
  decision_quorum: z.object({
    default_approvals: z.number().int().min(1).max(5),
    rejects_to_end: z.number().int().min(1).max(5),
    rules: z.array(
      z
        .object({
          name: z.string().regex(/^[a-z0-9_]+$/, 'rule name must be snake_case'),
          actionners: z.array(actionner).min(1).optional(),
          severities: z.array(z.enum(SEVERITIES)).min(1).optional(),
          customer_facing: z.literal(true).optional(),
          protected: z.literal(true).optional(),
          namespaces: z.array(z.string().min(1)).min(1).optional(),
          approvals: z.number().int().min(1).max(5),
          role: z.string().min(1).optional(),
        })
        .strict(),
    ),
  }),
  /** Read by the gate (issue 4): Isolation Forest scores at or above this become incidents. */
  gate: z.object({ anomaly_threshold: z.number().min(0).max(1) }).loose(),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

export const PolicyDataSchema = z.object({ vigil: z.object({ config: PolicyConfigSchema }).loose() }).loose();

/** Every problem in a data document, one line each with its path; empty when it is valid. */
export function policyDataProblems(data: unknown): string[] {
  const parsed = PolicyDataSchema.safeParse(data);
  if (parsed.success) return roleProblems(parsed.data.vigil.config);
  return issueLines(parsed.error);
}

/** A required role nobody holds would leave those escalations undecidable until they expire. */
function roleProblems(cfg: PolicyConfig): string[] {
  const held = new Set(Object.values(cfg.analysts).flatMap((a) => (a.active === false ? [] : a.roles)));
  const problems = Object.entries(cfg.required_roles)
    .filter(([, role]) => !held.has(role))
    .map(([kind, role]) => `vigil.config.required_roles.${kind}: no active analyst holds the ${role} role`);
  // A quorum more analysts than hold its role could never be met: every such escalation would expire.
  for (const [i, rule] of cfg.decision_quorum.rules.entries()) {
    const role = rule.role;
    const holders = Object.values(cfg.analysts).filter((a) => a.active !== false && (role === undefined || a.roles.includes(role))).length;
    if (holders < rule.approvals) problems.push(`vigil.config.decision_quorum.rules.${i}: needs ${rule.approvals} approvals but only ${holders} active analyst(s) hold ${role ?? 'any role'}`);
  }
  return problems;
}
