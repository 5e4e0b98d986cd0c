import { isIP } from 'node:net';
import { z } from 'zod';
import { BLAST_SCOPES, FALCO_PRIORITIES, issueLines, NamespaceNameSchema, SEVERITIES } from '../../contracts';

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

const weight = z.number().min(0).max(10);
const cidr = z.string().refine((c) => {
  const [ip, bits, ...rest] = c.split('/');
  const family = isIP(ip ?? '');
  const n = Number(bits);
  return rest.length === 0 && family !== 0 && /^\d{1,3}$/.test(bits ?? '') && n <= (family === 4 ? 32 : 128);
}, 'not a CIDR (address/prefix)');

/** How evidence of compromise is weighed (policies/vigil/evidence.rego): each finding adds its weight. */
const EvidenceSchema = z
  .object({
    auto_execute_at: weight,
    auto_reject_below: weight,
    priority: z.object(Object.fromEntries(FALCO_PRIORITIES.map((p) => [p, weight])) as Record<(typeof FALCO_PRIORITIES)[number], typeof weight>),
    /** Falco's tactic tags (`mitre_credential_access`) and technique tags (`T1611`) to their weight. */
    tactics: z.record(z.string().regex(/^mitre_[a-z_]+$/, 'a Falco tactic tag like mitre_credential_access'), weight),
    techniques: z.record(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'a MITRE technique id like T1611'), weight),
    anomaly_score: z.object({ at: z.number().min(0).max(1), weight }),
    chain: z.object({ per_extra_rule: weight, max: weight }),
    indicator_weight: weight,
  })
  .refine((e) => e.auto_reject_below <= e.auto_execute_at, 'auto_reject_below must not exceed auto_execute_at');

/** Known-bad indicators, matched against the fields Falco reports; data, so they change without a release. */
const IndicatorsSchema = z.object({
  miner_ports: z.array(z.number().int().min(1).max(65535)),
  /** Lowercase process names (proc.name / proc.pname are lowercased before matching). */
  miner_processes: z.array(z.string().min(1).regex(/^[^A-Z]+$/, 'lowercase: process names are compared lowercased')),
  shell_processes: z.array(z.string().min(1).regex(/^[^A-Z]+$/, 'lowercase: process names are compared lowercased')),
  /** Substrings of a lowercased command line. */
  attack_commands: z.array(z.string().min(3)),
  /** Addresses that are not "outside" (cluster, node and private networks). */
  internal_cidrs: z.array(cidr),
  known_bad_cidrs: z.array(cidr),
});

/** RFC 3339 in UTC to the second: the spelling in which the policy's string comparison is time order. */
export const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const utcSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * An analyst's suppression (`data.vigil.suppressions`): a rule (by a process, when given) on one
 * workload is normal there until `expires`. The gate reads the same entries (gate/policy-settings.ts).
 */
export const SuppressionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,126}[a-z0-9])?$/, 'id: lowercase letters, digits, - and ., at most 128'),
    workload: z.object({ namespace: NamespaceNameSchema.or(z.literal('-')), kind: z.string().min(1).max(253).optional(), name: z.string().min(1).max(253) }).strict(),
    rule: z.string().min(1).max(512),
    process: z.string().min(1).max(256).optional(),
    author: z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, 'author must be a plain identity (letters, digits, . _ @ + -)'),
    reason: z.string().min(1).max(2000),
    expires: z.string().refine((t) => UTC_SECONDS.test(t) && !Number.isNaN(Date.parse(t)), 'expires must be RFC 3339 in UTC to the second, e.g. 2027-01-31T00:00:00Z'),
  })
  .strict();
export type Suppression = z.infer<typeof SuppressionSchema>;

export const PolicyConfigSchema = z.object({
  min_confidence: z.number().min(0).max(1),
  evidence: EvidenceSchema,
  indicators: IndicatorsSchema,
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
  /** Chat user id → analyst, per platform: who a Mattermost or Slack click is (read by the approvals service). */
  chat_users: z.object({ mattermost: z.record(z.string().min(1), identity).default({}), slack: z.record(z.string().min(1), identity).default({}) }).optional(),
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
  gate: z.object({ anomaly_threshold: z.number().min(0).max(1).optional(), priority_floor: z.string().optional() }).loose(),
});
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

export const PolicyDataSchema = z
  .object({ vigil: z.object({ config: PolicyConfigSchema, suppressions: z.array(SuppressionSchema).max(10_000).default([]) }).loose() })
  .loose();
export type PolicyData = z.infer<typeof PolicyDataSchema>;

/** Every problem in a data document, one line each with its path; empty when it is valid. */
export function policyDataProblems(data: unknown): string[] {
  const parsed = PolicyDataSchema.safeParse(data);
  if (parsed.success) return [...roleProblems(parsed.data.vigil.config), ...chatUserProblems(parsed.data.vigil.config), ...suppressionProblems(parsed.data.vigil.suppressions)];
  return issueLines(parsed.error);
}

/** Ids name suppressions in verdicts, metrics and `vigil suppress remove`: one each. */
function suppressionProblems(list: Suppression[]): string[] {
  const seen = new Set<string>();
  return list.flatMap((s, i) => {
    if (!seen.has(s.id)) {
      seen.add(s.id);
      return [];
    }
    return [`vigil.suppressions.${i}.id: ${s.id} is used more than once`];
  });
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

/** A chat user mapped to an analyst policy does not know could never decide; say so before a click finds out. */
function chatUserProblems(cfg: PolicyConfig): string[] {
  return Object.entries(cfg.chat_users ?? {}).flatMap(([platform, users]) =>
    Object.entries(users)
      .filter(([, analyst]) => !Object.hasOwn(cfg.analysts, analyst))
      .map(([user, analyst]) => `vigil.config.chat_users.${platform}.${user}: maps to ${analyst}, who is not in vigil.config.analysts`),
  );
}
