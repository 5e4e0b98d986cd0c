import { createHash, randomBytes } from 'node:crypto';
import type { FalcoAlert } from '../contracts';
import { canonicalJson } from './canonical-json';

/**
 * An alert's identity from its content. falcosidekick's uuid is excluded: it is regenerated on
 * every receive, so the same alert redelivered must still hash the same.
 */
export function alertFingerprint(alert: FalcoAlert): string {
  const { uuid: _uuid, ...content } = alert;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Workflow id for an incident: readable prefix, deterministic suffix. */
export function incidentIdFor(correlationKey: string): string {
  return `incident-${createHash('sha256').update(correlationKey).digest('hex').slice(0, 24)}`;
}

/** A W3C trace id, unless the alert already carries one. */
export function traceIdFor(alert: FalcoAlert): string {
  const carried = (alert as Record<string, unknown>).trace_id ?? alert.output_fields['trace_id'];
  if (typeof carried === 'string' && /^[0-9a-f]{32}$/.test(carried)) return carried;
  return randomBytes(16).toString('hex');
}
