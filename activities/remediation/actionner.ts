import type { z } from 'zod';
import type { ProposedAction } from '../../contracts';

/** One RBAC rule an actionner needs; the Helm chart's Role is generated from these. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The exact Kubernetes change an action makes, recorded in the outcome whether or not it ran. */
export interface KubeOperation {
  verb: 'patch' | 'create' | 'delete';
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Merge patch for `patch`, full object for `create`, delete options for `delete`. */
  body: Record<string, unknown>;
}

export interface PlanContext {
  incidentId: string;
  idempotencyKey: string;
}

/**
 * A small, self-describing response action (after falco-talon's actionners): it validates its
 * parameters, checks that it can act, and plans the exact operations; dry-run is handled centrally.
 */
export interface Actionner<P = unknown> {
  /** `category:name`, e.g. `kubernetes:label`. */
  name: string;
  description: string;
  params: z.ZodType<P>;
  rbac: RbacRule[];
  example: Record<string, unknown>;
  /** Why this action cannot run on this target, or null when it can. */
  preflight(action: ProposedAction): string | null;
  plan(action: ProposedAction, params: P, ctx: PlanContext): KubeOperation[];
}

/** Names derived from the idempotency key, so a retried action targets the same object. */
export function objectSuffix(idempotencyKey: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < idempotencyKey.length; i++) h = Math.imul(h ^ idempotencyKey.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
