import type { ALERT_LIMITS } from '../contracts';

/** Appended to every clipped string, so whoever reads the alert (analyst, LLM) knows it was cut. */
export const CLIP_MARKER = '…[clipped by vigil]';
/** Root key listing what was clipped; the event's original bytes are in the DLQ. */
export const CLIPPED_KEY = 'vigil_clipped';

const MAX_FIELD_KEY = 256;
/** Items kept of a list-valued output field. */
const MAX_FIELD_ITEMS = 256;
/** Field families Falco's rules and Vigil's features read: kept first when there are too many fields. */
const READ_FIRST = /^(proc|k8s|k8smeta|ka|container|fd|fs|user|evt)\./;

function cut(s: string, max: number): string {
  return `${s.slice(0, Math.max(0, max - CLIP_MARKER.length))}${CLIP_MARKER}`;
}

/**
 * Cuts what is too long for the contract (contracts/falco.ts ALERT_LIMITS) in place — strings to
 * their bound with a marker, lists and field sets to their count — and returns the paths it cut.
 * Only values of the right type are touched: a number where a string belongs stays invalid.
 * The point: an attacker who pads the command line must not turn detection into a dead letter.
 */
export function clipOversized(a: Record<string, unknown>, limits: typeof ALERT_LIMITS): string[] {
  const clipped: string[] = [];
  const bound = (key: string, max: number) => {
    const v = a[key];
    if (typeof v === 'string' && v.length > max) {
      a[key] = cut(v, max);
      clipped.push(key);
    }
  };
  bound('output', limits.outputChars);
  bound('message', limits.outputChars);
  bound('rule', limits.ruleChars);
  bound('source', 128);
  bound('hostname', 253);
  bound('uuid', 64);

  const tags = a['tags'];
  if (Array.isArray(tags)) {
    if (tags.length > limits.tags) {
      a['tags'] = tags.slice(0, limits.tags);
      clipped.push('tags');
    }
    const kept = a['tags'] as unknown[];
    kept.forEach((t, i) => {
      if (typeof t === 'string' && t.length > 128) {
        kept[i] = cut(t, 128);
        clipped.push(`tags.${i}`);
      }
    });
  }

  const fields = a['output_fields'];
  if (fields !== null && typeof fields === 'object' && !Array.isArray(fields)) {
    const f = fields as Record<string, unknown>;
    let keys = Object.keys(f).filter((k) => k !== '__proto__');
    const overlong = keys.filter((k) => k.length > MAX_FIELD_KEY);
    if (overlong.length > 0) {
      for (const k of overlong) delete f[k];
      clipped.push(`output_fields: ${overlong.length} field(s) with names over ${MAX_FIELD_KEY} characters dropped`);
      keys = keys.filter((k) => k.length <= MAX_FIELD_KEY);
    }
    if (keys.length > limits.fields) {
      const ranked = [...keys.filter((k) => READ_FIRST.test(k)), ...keys.filter((k) => !READ_FIRST.test(k))];
      const keep = new Set(ranked.slice(0, limits.fields));
      for (const k of keys) if (!keep.has(k)) delete f[k];
      clipped.push(`output_fields: ${keys.length - limits.fields} of ${keys.length} fields dropped`);
      keys = keys.filter((k) => keep.has(k));
    }
    for (const k of keys) {
      const v = f[k];
      if (typeof v === 'string' && v.length > limits.fieldChars) {
        f[k] = cut(v, limits.fieldChars);
        clipped.push(`output_fields.${k}`);
      } else if (Array.isArray(v) && v.length > MAX_FIELD_ITEMS) {
        f[k] = v.slice(0, MAX_FIELD_ITEMS);
        clipped.push(`output_fields.${k}`);
      }
    }
  }
  if (clipped.length > 0) a[CLIPPED_KEY] = clipped.slice(0, 32).map((p) => p.slice(0, 300));
  return clipped;
}
