import { formatIssues } from '../contracts/issues';
import type { FalcoAlert } from '../contracts';
import { ALERT_LIMITS, FalcoAlertSchema } from '../contracts';
import { fastParseAlert, KNOWN_ALERT_KEYS } from './fast-alert';
import { clipOversized } from './clip';

/** Why an event went to the dead-letter queue: a small fixed set, so it can label a metric. */
export const DEAD_LETTER_KINDS = ['empty', 'too_large', 'not_json', 'not_an_object', 'too_complex', 'invalid_alert', 'clipped', 'internal_error', 'temporal_rejected'] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

/**
 * `clipped`: paths of values that were longer than the contract allows and were cut (with a
 * marker) so the alert could still be scored; its original bytes go to the DLQ as well.
 */
export type Validation = { ok: true; alert: FalcoAlert; clipped?: string[] } | { ok: false; kind: DeadLetterKind; reason: string };

/**
 * Bounds on what an alert may carry beyond Falco's own fields (producers other than
 * falcosidekick add some), checked without recursion before anything walks the value: the
 * fingerprint, logs, the thread boundary and Temporal's payload codec all recurse.
 */
export const STRUCTURE_LIMITS = { rootKeys: 64, depth: 8, nodes: 4_096 } as const;

/** Reasons are for people and DLQ headers; a hostile event must not make them huge. */
const MAX_REASON_CHARS = 1_000;

function clip(s: string): string {
  return s.length <= MAX_REASON_CHARS ? s : `${s.slice(0, MAX_REASON_CHARS - 3)}...`;
}

/**
 * Walks the values of keys Falco does not define, iteratively: too deep or too large → the reason.
 * Own `__proto__` keys inside them are removed: they are data to JSON.parse, but every copy made
 * by assignment downstream would turn them into a prototype.
 */
function structureProblem(json: Record<string, unknown>): string | null {
  const keys = Object.keys(json);
  if (keys.length > STRUCTURE_LIMITS.rootKeys) return `${keys.length} top-level keys, the limit is ${STRUCTURE_LIMITS.rootKeys}`;
  let nodes = 0;
  for (const key of keys) {
    if (KNOWN_ALERT_KEYS.has(key)) continue;
    const stack: Array<[unknown, number]> = [[json[key], 1]];
    while (stack.length > 0) {
      const [v, depth] = stack.pop()!;
      if (v === null || typeof v !== 'object') continue;
      if (depth > STRUCTURE_LIMITS.depth) return `field "${key.slice(0, 64)}" is nested deeper than ${STRUCTURE_LIMITS.depth} levels`;
      const children = Array.isArray(v) ? v : Object.values(v);
      nodes += children.length;
      if (nodes > STRUCTURE_LIMITS.nodes) return `fields outside Falco's hold more than ${STRUCTURE_LIMITS.nodes} values`;
      if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) delete (v as Record<string, unknown>)['__proto__'];
      for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
    }
  }
  return null;
}

/**
 * Bytes → a valid Falco alert, or the reason it is not one. Size is checked before parsing (a
 * multi-megabyte value costs nothing to refuse), then JSON, then the structure of any extra
 * fields (before anything recurses into them), then contracts' FalcoAlertSchema (through its
 * hand-specialised twin, fast-alert.ts). An alert refused only for over-long values is clipped
 * (clip.ts) and validated again, so a long command line is still scored. Never throws.
 */
export function validateEvent(text: string, byteLength: number, maxBytes: number): Validation {
  if (byteLength > maxBytes) return { ok: false, kind: 'too_large', reason: `message is ${byteLength} bytes, the limit is ${maxBytes}` };
  if (byteLength === 0 || text.trim().length === 0) return { ok: false, kind: 'empty', reason: 'empty message' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, kind: 'not_json', reason: clip(`not JSON: ${(err as Error).message}`) };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, kind: 'not_an_object', reason: `expected a JSON object (a Falco alert), got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}` };
  }
  const record = json as Record<string, unknown>;
  const problem = structureProblem(record);
  if (problem) return { ok: false, kind: 'too_complex', reason: clip(`too complex to handle: ${problem}`) };
  const fast = fastParseAlert(record);
  if (fast) return { ok: true, alert: fast };
  const clipped = clipOversized(record, ALERT_LIMITS);
  if (clipped.length > 0) {
    const again = fastParseAlert(record);
    if (again) return { ok: true, alert: again, clipped };
  }
  // The reason is zod's; and should the fast check ever refuse what the contract accepts, the
  // contract wins and the alert goes through.
  const parsed = FalcoAlertSchema.safeParse(record);
  if (!parsed.success) {
    return { ok: false, kind: 'invalid_alert', reason: clip(`not a Falco alert: ${formatIssues(parsed.error)}`) };
  }
  return clipped.length > 0 ? { ok: true, alert: parsed.data, clipped } : { ok: true, alert: parsed.data };
}
