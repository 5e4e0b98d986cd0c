import type { FalcoAlert } from '../contracts';
import { FalcoAlertSchema } from '../contracts';
import { fastParseAlert } from './fast-alert';

/** Why an event went to the dead-letter queue: a small fixed set, so it can label a metric. */
export const DEAD_LETTER_KINDS = ['empty', 'too_large', 'not_json', 'not_an_object', 'invalid_alert'] as const;
export type DeadLetterKind = (typeof DEAD_LETTER_KINDS)[number];

export type Validation = { ok: true; alert: FalcoAlert } | { ok: false; kind: DeadLetterKind; reason: string };

/** Reasons are for people and DLQ headers; a hostile event must not make them huge. */
const MAX_REASON_CHARS = 1_000;

function clip(s: string): string {
  return s.length <= MAX_REASON_CHARS ? s : `${s.slice(0, MAX_REASON_CHARS - 3)}...`;
}

/**
 * Bytes → a valid Falco alert, or the reason it is not one. Size is checked before parsing (a
 * multi-megabyte value costs nothing to refuse), then JSON, then contracts' FalcoAlertSchema
 * (through its hand-specialised twin, fast-alert.ts), whose bounds protect everything downstream.
 * Never throws.
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
  const fast = fastParseAlert(json as Record<string, unknown>);
  if (fast) return { ok: true, alert: fast };
  // The reason is zod's; and should the fast check ever refuse what the contract accepts, the
  // contract wins and the alert goes through.
  const parsed = FalcoAlertSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, kind: 'invalid_alert', reason: clip(`not a Falco alert: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`) };
  }
  return { ok: true, alert: parsed.data };
}
