import { z } from 'zod';
import type { Anomaly } from './anomaly';
import { FALCO_PRIORITIES } from './falco';

/**
 * What a running incident keeps of a later alert with the same correlation key: enough to
 * recognise a redelivery and to tell people what joined, not the whole (attacker-written) event.
 */
export const JoinedAlertSchema = z.object({
  /** The alert's content digest; the trace id for anomalies without one. */
  id: z.string().min(1).max(128),
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  rule: z.string().max(256),
  priority: z.enum(FALCO_PRIORITIES),
  score: z.number().min(0).max(1),
});
export type JoinedAlert = z.infer<typeof JoinedAlertSchema>;

export function joinedAlertOf(anomaly: Anomaly): JoinedAlert {
  return { id: anomaly.fingerprint ?? anomaly.traceId, traceId: anomaly.traceId, rule: anomaly.alert.rule.slice(0, 256), priority: anomaly.alert.priority, score: anomaly.score };
}

/**
 * The check the workflow applies to each joined alert: only its id is kept, so only the id must
 * be sound. Hand-written rather than the schema because a burst of signals is checked inside one
 * workflow activation, where every microsecond counts against the task deadline.
 */
export function joinedAlertId(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
  const { id } = raw;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}
