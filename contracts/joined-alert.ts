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
