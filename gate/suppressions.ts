import type { FalcoAlert, Workload } from '../contracts';

/**
 * An analyst's "this is normal here": alerts of `rule` (by `process`, when given) on one workload
 * are dropped by the gate until `expires`. The format is policy data's (`data.vigil.suppressions`,
 * schema and `vigil suppress` with the policy); the gate only reads it.
 */
export interface Suppression {
  id: string;
  workload: { namespace: string; kind?: string | undefined; name: string };
  rule: string;
  process?: string | undefined;
  author: string;
  reason: string;
  /** RFC 3339; an expired suppression is ignored. */
  expires: string;
  /** `expires` as epoch ms, parsed once. */
  expiresAtMs: number;
}

/**
 * Suppressions indexed by rule (the one field every suppression has and every alert has), so the
 * gate's check costs one Map lookup per event when nothing is suppressed for that rule.
 */
export class SuppressionIndex {
  private readonly byRule = new Map<string, Suppression[]>();

  constructor(readonly all: readonly Suppression[] = []) {
    for (const s of all) this.byRule.set(s.rule, [...(this.byRule.get(s.rule) ?? []), s]);
  }

  get size(): number {
    return this.all.length;
  }

  /** The unexpired suppression covering this alert on this workload at `atMs`, if any. */
  match(alert: FalcoAlert, workload: Workload, atMs: number): Suppression | undefined {
    const candidates = this.byRule.get(alert.rule);
    if (!candidates) return undefined;
    const proc = alert.output_fields['proc.name'];
    for (const s of candidates) {
      if (!(s.expiresAtMs > atMs)) continue;
      if (s.workload.namespace !== workload.namespace || s.workload.name !== workload.name) continue;
      if (s.workload.kind !== undefined && s.workload.kind !== workload.kind) continue;
      if (s.process !== undefined && s.process !== proc) continue;
      return s;
    }
    return undefined;
  }
}
