import { z } from 'zod';
import { NamespaceNameSchema, ObjectNameSchema } from './k8s-names';

/** How far an action reaches; the review policy limits this. */
export const BLAST_SCOPES = ['pod', 'workload', 'namespace', 'node', 'cluster'] as const;
export const BlastRadiusSchema = z.object({
  scope: z.enum(BLAST_SCOPES),
  /** Pods (or replicas) the action touches, as far as the proposer can tell. */
  pods: z.number().int().min(0),
});
export type BlastRadius = z.infer<typeof BlastRadiusSchema>;

/** Names as Kubernetes spells them (contracts/k8s-names.ts): a name that could dodge an exact-match check is refused. */
export const ActionTargetSchema = z.object({
  namespace: NamespaceNameSchema,
  pod: ObjectNameSchema.optional(),
  workload: ObjectNameSchema.optional(),
  node: ObjectNameSchema.optional(),
});
export type ActionTarget = z.infer<typeof ActionTargetSchema>;

/** A step an agent proposes; only the review verdict decides whether it runs. */
export const ProposedActionSchema = z.object({
  id: z.string().min(1).max(64),
  /** Registered actionner, `category:name` (e.g. `kubernetes:label`). */
  actionner: z.string().regex(/^[a-z0-9-]+:[a-z0-9-]+$/, 'actionner must be category:name'),
  target: ActionTargetSchema,
  params: z.record(z.string(), z.unknown()).default({}),
  blastRadius: BlastRadiusSchema,
  rationale: z.string().max(2000).default(''),
});
export type ProposedAction = z.infer<typeof ProposedActionSchema>;

export const ACTION_STATUSES = ['dry_run', 'executed', 'skipped', 'failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** One record per action: feeds the outcome, logs, metrics and notifications alike. */
export const ActionResultSchema = z.object({
  actionId: z.string(),
  actionner: z.string(),
  idempotencyKey: z.string(),
  status: z.enum(ACTION_STATUSES),
  /** The exact Kubernetes object or patch that was (or would be) applied. */
  objects: z.array(z.record(z.string(), z.unknown())),
  message: z.string(),
});
export type ActionResult = z.infer<typeof ActionResultSchema>;
