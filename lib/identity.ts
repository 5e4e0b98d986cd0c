import { createHash } from 'node:crypto';
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

/** Alerts about the same subject with the same rule in this window join one incident. */
export const DEFAULT_CORRELATION_WINDOW_MS = 10 * 60 * 1000;
/** contracts/anomaly.ts caps the key; longer subjects keep a readable prefix and a hash of the whole. */
const MAX_KEY_CHARS = 512;

function field(alert: FalcoAlert, name: string): string | undefined {
  const v = alert.output_fields[name];
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  return typeof v === 'number' ? String(v) : undefined;
}

/**
 * What an alert is about, as the first part of its correlation key: the pod for container alerts,
 * the target object for k8s-audit alerts, the container or host otherwise. The same reading as
 * contracts' assetOf, without building the asset: the gate asks this for every event.
 */
export function correlationSubject(alert: FalcoAlert): string {
  const namespace = field(alert, 'k8s.ns.name') ?? field(alert, 'ka.target.namespace');
  const resource = field(alert, 'ka.target.resource');
  const pod = field(alert, 'k8s.pod.name') ?? (resource === 'pods' ? field(alert, 'ka.target.name') : undefined);
  if (pod) return `${namespace ?? '-'}/${pod}`;
  if (resource) return `k8s/${namespace ?? '-'}/${resource}/${field(alert, 'ka.target.name') ?? '-'}`;
  const container = field(alert, 'container.id');
  if (container && container !== 'host') return `container/${container}`;
  if (alert.hostname) return `host/${alert.hostname}`;
  return 'unknown';
}

/**
 * `subject/rule/<window start>`. The window comes from the alert's own time, not the time it was
 * received, so a redelivered alert (Kafka replay, gate restart) gets the same key, hence the same
 * workflow id.
 */
export function correlationKeyFor(alert: FalcoAlert, windowMs: number = DEFAULT_CORRELATION_WINDOW_MS): string {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) throw new Error(`correlation window must be a positive integer of ms, got ${windowMs}`);
  const at = Date.parse(alert.time);
  const bucket = Number.isNaN(at) ? 'no-time' : new Date(Math.floor(at / windowMs) * windowMs).toISOString();
  const key = `${correlationSubject(alert)}/${alert.rule}/${bucket}`;
  if (key.length <= MAX_KEY_CHARS) return key;
  return `${key.slice(0, MAX_KEY_CHARS - 72)}#${createHash('sha256').update(key).digest('hex')}`;
}
