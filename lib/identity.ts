import { createHash } from 'node:crypto';
import type { Anomaly, FalcoAlert, Workload } from '../contracts';
import { workloadKey, workloadOf } from '../contracts';
import { canonicalJson } from './canonical-json';

/**
 * An alert's identity from its content. falcosidekick's uuid is excluded: it is regenerated on
 * every receive, so the same alert redelivered must still hash the same.
 */
export function alertFingerprint(alert: FalcoAlert): string {
  const { uuid: _uuid, ...content } = alert;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Characters kept of the namespace and of the workload name in a workflow id. */
const READABLE_PART = 40;

/** Lowercase letters, digits, dots and dashes; anything else becomes a dash. Bounded. */
function slug(s: string): string {
  const cleaned = s
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return (cleaned || 'x').slice(0, READABLE_PART).replace(/[-.]+$/, '') || 'x';
}

/**
 * Workflow id for an incident: `incident-<namespace>-<workload>-<hash>`, readable in the Temporal
 * UI's list, at most ~115 characters of [a-z0-9.-] whatever the alert says. The hash is of the
 * whole correlation key, so the id stays derived from content (a redelivered alert finds its
 * incident) and two workloads whose readable parts collide still differ.
 */
export function incidentIdFor(anomaly: Pick<Anomaly, 'alert' | 'correlationKey'>): string {
  const w = workloadOf(anomaly.alert);
  const hash = createHash('sha256').update(anomaly.correlationKey).digest('hex').slice(0, 24);
  const where = w.kind === 'Host' ? 'host' : slug(w.namespace === '-' ? 'cluster' : w.namespace);
  return `incident-${where}-${slug(w.name)}-${hash}`;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const ZERO_TRACE_ID = '0'.repeat(32);

/**
 * The alert's W3C trace id: the one it carries, else one derived from its content fingerprint,
 * so a redelivered alert keeps its trace id and every log line about it joins on the same value.
 */
export function traceIdFor(alert: FalcoAlert, fingerprint: string = alertFingerprint(alert)): string {
  const carried = (alert as Record<string, unknown>).trace_id ?? alert.output_fields['trace_id'];
  if (typeof carried === 'string' && TRACE_ID.test(carried) && carried !== ZERO_TRACE_ID) return carried;
  return createHash('sha256').update(fingerprint).digest('hex').slice(0, 32);
}

/** A workload's activity window closes after this long without an anomaly. */
export const DEFAULT_CORRELATION_WINDOW_MS = 10 * 60 * 1000;
/** However busy, a window is at most this long; then the next anomaly opens a new incident. */
export const DEFAULT_CORRELATION_MAX_MS = 2 * 60 * 60 * 1000;
/** contracts/anomaly.ts caps the key; longer ones keep a readable prefix and a hash of the whole. */
const MAX_KEY_CHARS = 512;

/**
 * `ns/kind/name@<window start>`: every anomaly of one workload within one activity window
 * (gate/correlation.ts decides where windows start) shares it, across rules.
 */
export function correlationKeyFor(workload: Workload, windowStartMs: number): string {
  const start = Number.isFinite(windowStartMs) ? new Date(windowStartMs).toISOString() : 'no-time';
  return bounded(`${workloadKey(workload)}@${start}`);
}

function bounded(key: string): string {
  if (key.length <= MAX_KEY_CHARS) return key;
  return `${key.slice(0, MAX_KEY_CHARS - 72)}#${createHash('sha256').update(key).digest('hex')}`;
}

const FOLLOW_UP = /~followup(\d+)$/;

/** The key of the follow-up to a closed incident's window: `<key>~followup1`, then `~followup2`... */
export function followUpKeyFor(closedKey: string): string {
  const m = FOLLOW_UP.exec(closedKey);
  if (!m) return bounded(`${closedKey}~followup1`);
  return bounded(`${closedKey.slice(0, m.index)}~followup${Number(m[1]) + 1}`);
}
