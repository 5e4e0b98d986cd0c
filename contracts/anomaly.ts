import { z } from 'zod';
import { FalcoAlertSchema } from './falco';
import { alertNameProblems } from './k8s-names';

/**
 * An alert the gate let through: what starts (or joins) an incident. Its object names must be
 * Kubernetes names, so every activity refuses (as invalid input) an alert naming, say, a
 * 300-character or mixed-case pod, before anything compares or acts on it.
 */
export const AnomalySchema = z
  .object({
  alert: FalcoAlertSchema,
  /** Isolation Forest score in 0..1, higher is more anomalous. */
  score: z.number().min(0).max(1),
  /** Alerts sharing this key join one incident: the workload within an activity window (lib/identity.ts). */
  correlationKey: z.string().min(1).max(512),
  /** The workload the gate keyed the alert on (contracts/workload.ts). */
  workload: z.object({ namespace: z.string().max(253), kind: z.string().max(253), name: z.string().max(253) }).optional(),
  traceId: z.string().regex(/^[0-9a-f]{32}$/, 'trace_id must be 32 lowercase hex characters (W3C trace id)'),
  /** sha256 of the alert's content (lib/identity.ts): how an incident recognises a redelivered alert. */
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  receivedAt: z.string(),
  /**
   * How long the incident keeps watching its workload once it has settled without containing it
   * (the gate's correlation window, in wall time): while alerts keep coming it stays open, and a
   * novel one is analysed and reviewed in it, so a chain stays one incident. Absent: no watch.
   */
  watch: z.object({ idleMs: z.number().int().min(0).max(86_400_000), maxMs: z.number().int().min(0).max(7 * 86_400_000) }).optional(),
  /** Set by the gate when this alert's incident had closed: the incident this one follows up. */
  followUpOf: z.string().max(200).optional(),
  /** The gate's Ed25519 signature (lib/trust/anomaly-signature.ts); absent or wrong makes the incident untrusted. */
  signature: z.string().max(200).optional(),
  })
  .superRefine((a, ctx) => {
    for (const problem of alertNameProblems(a.alert)) ctx.addIssue({ code: 'custom', path: ['alert'], message: problem });
  });
export type Anomaly = z.infer<typeof AnomalySchema>;
