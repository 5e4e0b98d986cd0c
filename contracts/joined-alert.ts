import { z } from 'zod';
import type { Anomaly } from './anomaly';
import type { FalcoAlert, FalcoPriority } from './falco';
import { FALCO_PRIORITIES } from './falco';
import { CONNECTION, connectionClass, PATH_SENSITIVITY, pathSensitivity } from './alert-signals';

/**
 * Protected targets an alert reaches: credentials (secrets, keys, tokens), system paths
 * (binaries, boot, cron), or an address outside the cluster. A chain that reaches one it had not
 * is a new step, whatever its rule (the credential read after a harmless shell).
 */
export const TOUCHES = ['credentials', 'system', 'outside_address'] as const;
export type Touch = (typeof TOUCHES)[number];

/** Techniques and tactics kept per alert: enough to tell a new step of a chain from more of the same. */
const MAX_TECHNIQUES = 8;
const PROCESS_CHARS = 120;

/**
 * What a running incident keeps of a later alert with the same correlation key: enough to
 * recognise a redelivery and to build the incident's timeline, not the whole (attacker-written)
 * event. `anomaly` (the whole signed alert) rides along only when the gate saw the alert add
 * something to its window (a rule, a technique, a higher priority): the incident needs it then
 * to analyse and review again, and never otherwise, so a burst of repeats stays small.
 */
export const JoinedAlertSchema = z.object({
  /** The alert's content digest; the trace id for anomalies without one. */
  id: z.string().min(1).max(128),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  rule: z.string().max(256),
  priority: z.enum(FALCO_PRIORITIES),
  score: z.number().min(0).max(1),
  /** The alert's own time as the gate read it (ISO 8601). */
  time: z.string().max(64).optional(),
  /** proc.name (or the first word of proc.cmdline), clipped. */
  process: z.string().max(PROCESS_CHARS).optional(),
  /** MITRE tags of the rule (`T1059`, `mitre_execution`). */
  techniques: z.array(z.string().max(64)).max(MAX_TECHNIQUES).optional(),
  /** Protected targets the alert reaches (TOUCHES). */
  touches: z.array(z.enum(TOUCHES)).max(TOUCHES.length).optional(),
  anomaly: z.unknown().optional(),
});
export type JoinedAlert = z.infer<typeof JoinedAlertSchema>;

const TECHNIQUE = /^(T\d{4}(\.\d{3})?|mitre_[a-z_]+)$/i;

export function techniquesOf(alert: FalcoAlert): string[] {
  return (alert.tags ?? []).filter((t) => typeof t === 'string' && TECHNIQUE.test(t)).slice(0, MAX_TECHNIQUES);
}

function processOf(alert: FalcoAlert): string | undefined {
  const f = alert.output_fields;
  const name = typeof f['proc.name'] === 'string' ? f['proc.name'] : typeof f['proc.cmdline'] === 'string' ? f['proc.cmdline'].split(' ')[0] : undefined;
  return name ? name.slice(0, PROCESS_CHARS) : undefined;
}

const field = (alert: FalcoAlert, name: string): string | undefined => {
  const v = alert.output_fields[name];
  return typeof v === 'string' ? v : undefined;
};

export function touchesOf(alert: FalcoAlert): Touch[] {
  const fd = field(alert, 'fd.name');
  const cmdline = field(alert, 'proc.cmdline');
  const out: Touch[] = [];
  const path = pathSensitivity([fd, field(alert, 'fs.path.name'), field(alert, 'fs.path.target'), cmdline]);
  if (path === PATH_SENSITIVITY.credentials) out.push('credentials');
  else if (path === PATH_SENSITIVITY.system) out.push('system');
  if (connectionClass(fd, field(alert, 'fd.rip'), cmdline) === CONNECTION.public) out.push('outside_address');
  return out;
}

export function joinedAlertOf(anomaly: Anomaly, opts: { withAnomaly?: boolean } = {}): JoinedAlert {
  const { alert } = anomaly;
  const process = processOf(alert);
  const techniques = techniquesOf(alert);
  const touches = touchesOf(alert);
  return {
    id: anomaly.fingerprint ?? anomaly.traceId,
    traceId: anomaly.traceId,
    rule: alert.rule.slice(0, 256),
    priority: alert.priority,
    score: anomaly.score,
    time: alert.time.slice(0, 64),
    ...(process ? { process } : {}),
    ...(techniques.length ? { techniques } : {}),
    ...(touches.length ? { touches } : {}),
    ...(opts.withAnomaly ? { anomaly } : {}),
  };
}

/**
 * The check the workflow applies to each joined alert: only its id must be sound for the alert to
 * count; the timeline keeps the other facts only when they are well-formed. Hand-written rather
 * than the schema because a burst of signals is checked inside one workflow activation, where
 * every microsecond counts against the task deadline.
 */
export function joinedAlertId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  const { id } = raw;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

/** A joined alert's facts for the timeline, or null when any is malformed (it still counts). */
export function joinedAlertFacts(raw: unknown): Omit<JoinedAlert, 'anomaly'> | null {
  const parsed = JoinedAlertSchema.omit({ anomaly: true }).safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Lower is more severe, as Falco orders its priorities. */
export function priorityRank(p: FalcoPriority): number {
  return FALCO_PRIORITIES.indexOf(p);
}

/**
 * What one workload's window has seen so far: a later alert escalates it when it brings a rule, a
 * technique or a protected target (TOUCHES) not seen yet, or a more severe priority. The gate uses it to decide whether a join
 * carries the whole alert; the workflow uses it again, on its own timeline, to decide whether
 * the incident is analysed and reviewed once more.
 */
type ChainFacts = Pick<JoinedAlert, 'rule' | 'priority' | 'techniques' | 'touches'>;

export class ChainSummary {
  private readonly rules = new Set<string>();
  private readonly techniques = new Set<string>();
  private readonly touched = new Set<string>();
  private worst = Number.POSITIVE_INFINITY;

  /** Whether the alert would bring something new, without adding it. */
  adds(a: ChainFacts): boolean {
    if (!this.rules.has(a.rule)) return true;
    if (unseen(this.techniques, a.techniques) || unseen(this.touched, a.touches)) return true;
    const rank = priorityRank(a.priority);
    return rank >= 0 && rank < this.worst;
  }

  /** Adds an alert; true when it brought something new (the first alert always does). */
  add(a: ChainFacts): boolean {
    let novel = addAll(this.rules, [a.rule]);
    // Both run: every new technique and target is remembered, not only the first one found.
    novel = addAll(this.techniques, a.techniques) || novel;
    novel = addAll(this.touched, a.touches) || novel;
    const rank = priorityRank(a.priority);
    if (rank >= 0 && rank < this.worst) {
      if (this.worst !== Number.POSITIVE_INFINITY) novel = true;
      this.worst = rank;
    }
    return novel;
  }
}

const unseen = (set: Set<string>, items: readonly string[] = []) => items.some((t) => !set.has(t));

/** Adds each item; true when any was new. */
function addAll(set: Set<string>, items: readonly string[] = []): boolean {
  const before = set.size;
  for (const t of items) set.add(t);
  return set.size > before;
}
