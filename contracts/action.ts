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

/**
 * `refused`: a pre-flight check against the live object said no (wrong pod, guard); nothing was
 * written and the incident must be escalated. `failed`: the API server refused or was unreachable.
 */
export const ACTION_STATUSES = ['dry_run', 'executed', 'skipped', 'refused', 'failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const ObjectRefSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  /** Absent for cluster-scoped objects (Node). */
  namespace: z.string().optional(),
  name: z.string(),
});
export type ObjectRef = z.infer<typeof ObjectRefSchema>;

/**
 * One write to the API server and the state it replaced, so it can be undone: for a patch,
 * `prior` holds the live value of every field the patch set (null where the field was absent),
 * which is itself the merge patch that reverts it; for an applied object, null (it did not exist);
 * for a delete, the object as it was.
 */
export const WriteRecordSchema = z.object({
  verb: z.enum(['patch', 'apply', 'delete']),
  ref: ObjectRefSchema,
  uid: z.string().optional(),
  /** What Vigil wrote: the merge patch, the applied object, or the delete options. */
  applied: z.record(z.string(), z.unknown()),
  prior: z.record(z.string(), z.unknown()).nullable(),
  /** The object's resourceVersion (and generation) right after Vigil's write. */
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  /** `already_applied`: a retry found its own earlier write on the object and wrote nothing. */
  state: z.enum(['applied', 'already_applied', 'server_dry_run']),
  /** The annotation on the object that marks this write (how a retry recognises it). */
  marker: z.string().optional(),
});
export type WriteRecord = z.infer<typeof WriteRecordSchema>;

/** What pre-flight verified about the live target before any write. */
export const PreflightRecordSchema = z.object({
  pod: z.object({ namespace: z.string(), name: z.string(), uid: z.string(), node: z.string().nullable() }),
  /** How the alert was matched to this pod. */
  matchedBy: z.enum(['container_id', 'node']),
  /** Pod first, then each controller up the chain (ReplicaSet, Deployment, ...). */
  owners: z.array(z.object({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string() })),
  healthyReplicas: z.number().int().nullable(),
});
export type PreflightRecord = z.infer<typeof PreflightRecordSchema>;

export const ArtifactSchema = z.object({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int() });
export type Artifact = z.infer<typeof ArtifactSchema>;

/** One record per action: feeds the outcome, logs, metrics and notifications alike. */
export const ActionResultSchema = z.object({
  actionId: z.string(),
  actionner: z.string(),
  idempotencyKey: z.string(),
  status: z.enum(ACTION_STATUSES),
  /** The exact Kubernetes object or patch that was (or would be) applied. */
  objects: z.array(z.record(z.string(), z.unknown())),
  message: z.string(),
  /** Acting (or server dry-run) mode: every write with the state it replaced, in order. */
  writes: z.array(WriteRecordSchema).optional(),
  preflight: PreflightRecordSchema.optional(),
  /** Evidence captured before containment (the file and its digest). */
  artifact: ArtifactSchema.optional(),
  /** Why a refused or failed action must be looked at by a human (`preflight_mismatch`, `forbidden`, ...). */
  code: z.string().optional(),
});
export type ActionResult = z.infer<typeof ActionResultSchema>;

export const REVERT_OUTCOMES = ['reverted', 'already_reverted', 'changed_since', 'irreversible', 'failed'] as const;
export type RevertOutcome = (typeof REVERT_OUTCOMES)[number];

/** The undoing of one write, reported rather than forced when the object moved on. */
export const RevertResultSchema = z.object({
  actionId: z.string(),
  actionner: z.string(),
  ref: ObjectRefSchema,
  verb: z.enum(['patch', 'apply', 'delete']),
  outcome: z.enum(REVERT_OUTCOMES),
  message: z.string(),
});
export type RevertResult = z.infer<typeof RevertResultSchema>;
