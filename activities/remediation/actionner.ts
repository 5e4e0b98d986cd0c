import type { z } from 'zod';
import type { ProposedAction } from '../../contracts';
import type { RemediationGuards } from './guards';
import type { LiveTarget, Refusal } from './preflight';

/** One RBAC rule an actionner needs; the Helm chart's Role is generated from these. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * The exact Kubernetes change an action makes, recorded in the outcome whether or not it ran.
 * `patch` is a JSON merge patch, `apply` a server-side apply of a whole object, `delete` carries
 * delete options, `capture` reads evidence and writes nothing to the cluster.
 */
export interface KubeOperation {
  verb: 'patch' | 'apply' | 'delete' | 'capture';
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects (Node). */
  namespace?: string;
  name: string;
  /** Merge patch for `patch`, full object for `apply`, delete options for `delete`, what to collect for `capture`. */
  body: Record<string, unknown>;
}

export interface PlanContext {
  incidentId: string;
  idempotencyKey: string;
  /** The pre-flight-verified pod and its owners; absent when there is no API server (local dry-run). */
  live?: LiveTarget;
  guards: RemediationGuards;
}

/**
 * A small, self-describing response action (after falco-talon's actionners): it validates its
 * parameters, checks that it can act, and plans the exact operations as data; the applier
 * executes them (or the API server dry-runs them), centrally.
 */
export interface Actionner<P = unknown> {
  /** `category:name`, e.g. `kubernetes:label`. */
  name: string;
  description: string;
  /** Evidence actionners run before every containment step of the same remediation. */
  phase: 'evidence' | 'containment';
  params: z.ZodType<P>;
  rbac: RbacRule[];
  example: Record<string, unknown>;
  /** Why this action cannot run on this target, or null when it can (static: no API call). */
  preflight(action: ProposedAction): string | null;
  /** Why this action must not run on the verified live target (DaemonSet pod, last replica, ...). */
  guard?(live: LiveTarget, params: P, guards: RemediationGuards): Refusal | null;
  plan(action: ProposedAction, params: P, ctx: PlanContext): KubeOperation[];
}

/** Names derived from the idempotency key, so a retried action targets the same object. */
export function objectSuffix(idempotencyKey: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < idempotencyKey.length; i++) h = Math.imul(h ^ idempotencyKey.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The annotation that marks one write on its object (and carries the state it replaced). */
export function writeMarker(idempotencyKey: string, opIndex: number): string {
  return `vigil.dev/write-${objectSuffix(`${idempotencyKey}#${opIndex}`)}`;
}

/** On objects Vigil creates: which incident and action made it (how a retry recognises its own). */
export const ACTION_ANNOTATION = 'vigil.dev/action';
export const INCIDENT_ANNOTATION = 'vigil.dev/incident';

/**
 * What pre-flight reads before any write (the pod, its siblings, its owner chain); every actionner
 * that acts on a pod declares it, so a Role generated for any subset still lets pre-flight run.
 */
export const PREFLIGHT_RBAC: RbacRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get'] },
];
