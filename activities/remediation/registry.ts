import type { ActionResult, ProposedAction } from '../../contracts';
import type { Actionner, KubeOperation, RbacRule } from './actionner';
import { labelActionner } from './actionners/kubernetes/label';
import { networkPolicyActionner } from './actionners/kubernetes/networkpolicy';
import { terminateActionner } from './actionners/kubernetes/terminate';
import { formatIssues } from '../../contracts';

/** Applies planned operations to a cluster; absent until a Kubernetes API is configured. */
export type KubeApplier = (ops: KubeOperation[]) => Promise<void>;

export class ActionnerRegistry {
  private readonly byName = new Map<string, Actionner<any>>();

  constructor(actionners: Actionner<any>[]) {
    for (const a of actionners) {
      if (!/^[a-z0-9-]+:[a-z0-9-]+$/.test(a.name)) throw new Error(`actionner name ${a.name} is not category:name`);
      if (this.byName.has(a.name)) throw new Error(`actionner ${a.name} registered twice`);
      this.byName.set(a.name, a);
    }
  }

  get(name: string): Actionner<any> | undefined {
    return this.byName.get(name);
  }

  list(): Actionner<any>[] {
    return [...this.byName.values()];
  }

  /** The union of RBAC rules the given (or all) actionners need, merged per apiGroup+resource. */
  rbac(names: readonly string[] = [...this.byName.keys()]): RbacRule[] {
    const merged = new Map<string, Set<string>>();
    for (const n of names) {
      for (const rule of this.byName.get(n)?.rbac ?? []) {
        for (const g of rule.apiGroups) {
          for (const r of rule.resources) {
            const key = `${g}\u0000${r}`;
            const verbs = merged.get(key) ?? new Set<string>();
            rule.verbs.forEach((v) => verbs.add(v));
            merged.set(key, verbs);
          }
        }
      }
    }
    return [...merged.entries()]
      .map(([key, verbs]) => {
        const [g = '', r = ''] = key.split('\u0000');
        return { apiGroups: [g], resources: [r], verbs: [...verbs].sort() };
      })
      .sort((a, b) => `${a.apiGroups[0]}/${a.resources[0]}`.localeCompare(`${b.apiGroups[0]}/${b.resources[0]}`));
  }

  /** Checks an action against the registry without running it (for `vigil check` and the workflow). */
  validate(action: ProposedAction): string | null {
    const actionner = this.byName.get(action.actionner);
    if (!actionner) return `unknown actionner ${action.actionner}`;
    const params = actionner.params.safeParse(action.params);
    if (!params.success) return `${action.actionner}: invalid params: ${formatIssues(params.error)}`;
    return actionner.preflight(action);
  }

  /** Plans and (unless dry-run) applies one action; never throws, one record per action. */
  async execute(action: ProposedAction, opts: { incidentId: string; dryRun: boolean; apply?: KubeApplier }): Promise<ActionResult> {
    const idempotencyKey = `${opts.incidentId}/${action.id}`;
    const base = { actionId: action.id, actionner: action.actionner, idempotencyKey };
    const problem = this.validate(action);
    const actionner = this.byName.get(action.actionner);
    if (problem || !actionner) return { ...base, status: 'skipped', objects: [], message: problem ?? 'unknown actionner' };
    const ops = actionner.plan(action, actionner.params.parse(action.params), { incidentId: opts.incidentId, idempotencyKey });
    const objects = ops.map((op) => ({ ...op }) as Record<string, unknown>);
    if (opts.dryRun || !opts.apply) {
      const why = opts.dryRun ? 'dry-run' : 'dry-run (no Kubernetes API configured)';
      return { ...base, status: 'dry_run', objects, message: `${why}: would ${ops.map((o) => `${o.verb} ${o.kind} ${o.namespace}/${o.name}`).join(', ')}` };
    }
    try {
      await opts.apply(ops);
      return { ...base, status: 'executed', objects, message: `applied ${ops.length} operation(s)` };
    } catch (err) {
      return { ...base, status: 'failed', objects, message: (err as Error).message };
    }
  }
}

export const BUILTIN_ACTIONNERS: Actionner<any>[] = [labelActionner, networkPolicyActionner, terminateActionner];

export function defaultRegistry(): ActionnerRegistry {
  return new ActionnerRegistry(BUILTIN_ACTIONNERS);
}

/**
 * The built-in actionners an operator enabled (comma-separated names; empty = all). Naming one
 * that does not exist is refused at start, so a typo never silently disables a response.
 */
export function enabledRegistry(names: string | undefined): ActionnerRegistry {
  const wanted = (names ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 0) return defaultRegistry();
  const unknown = wanted.filter((n) => !BUILTIN_ACTIONNERS.some((a) => a.name === n));
  if (unknown.length) throw new Error(`unknown actionner(s) in VIGIL_ACTIONNERS: ${unknown.join(', ')} (known: ${BUILTIN_ACTIONNERS.map((a) => a.name).join(', ')})`);
  return new ActionnerRegistry(BUILTIN_ACTIONNERS.filter((a) => wanted.includes(a.name)));
}
