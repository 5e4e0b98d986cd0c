import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { alertsQuery, stateQuery } from '../../workflows/definitions';
import type { AuditWrite } from './kube';
import { writesAppliedTwice } from './kube';
import type { Sent } from './stream';
import type { WebhookSink } from './webhook-sink';

/** One scenario's outcome, counted from ground truth (the stream sent, Temporal's visibility and queries, the webhook's received requests, the DLQ topic). */
export interface Row {
  scenario: string;
  alertsSent: number;
  poisonSent: number;
  poisonDeadLettered: number;
  anomalies: number;
  opened: number;
  completed: number;
  lost: number;
  duplicates: number;
  /** Completed with an action failed or refused: closed with a page instead of containment. */
  uncontained: number;
  /** Of those, how many paged a human (a remediation_refused notice): failing closed and loud. */
  uncontainedPaged: number;
  doubleWrites: string;
  /** Writes an incident records as made (acting mode) with no write to that object in the audit log: an action marked executed that was not. */
  executedUnaudited: number;
  notificationsLost: number;
  /** Deliveries repeated under a key already answered (at least once: a receiver drops them by the key). */
  notificationsRepeated: number;
  /** Notices answered under more keys than the incident recorded: sent twice as two notices, which no key can drop. */
  notificationsDuplicated: number;
  undeliveredRecorded: number;
  recoverySeconds: number | null;
  notes: string[];
}

export interface Execution {
  workflowId: string;
  status: string;
  closeTime?: Date;
}

/** Every incidentWorkflow execution (all runs) the server knows. */
export async function listIncidents(client: Client): Promise<Execution[]> {
  const out: Execution[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow'` })) {
    out.push({ workflowId: w.workflowId, status: w.status.name, closeTime: w.closeTime });
  }
  return out;
}

/** What the settle loop has seen so far. */
export interface SettleProgress {
  now: number;
  /** The settle deadline the run asked for. */
  deadline: number;
  /** Past it, never wait: a stack still completing at double the deadline is reported as it stands. */
  hardDeadline: number;
  closed: number;
  expected: number;
  /** When the closed count last grew. */
  lastProgressAt: number;
}

/** A quiet spell this long past the deadline means the stack has stopped completing: what is open then is counted lost. */
export const SETTLE_STALL_MS = 60_000;

/**
 * Whether to keep waiting for incidents to close. Past the deadline it waits on only while they
 * keep closing (a backlog the stack is still working through is not lost), and never past the
 * hard deadline; an incident stuck, or a stack that stopped, is counted as lost once it goes quiet.
 */
export function keepSettling(p: SettleProgress): boolean {
  if (p.closed >= p.expected) return false;
  if (p.now <= p.deadline) return true;
  return p.now <= p.hardDeadline && p.now - p.lastProgressAt < SETTLE_STALL_MS;
}

export interface Settled {
  executions: Execution[];
  /** Expected incidents still open when the deadline passed (the wait went on while they kept closing), else null. */
  openAtDeadline: number | null;
}

/** Waits until every expected incident is closed, or the deadline passes with the stack no longer closing any; returns the executions last seen. */
export async function settle(client: Client, expected: Set<string>, timeoutMs: number): Promise<Settled> {
  const start = Date.now();
  const progress: SettleProgress = { now: start, deadline: start + timeoutMs, hardDeadline: start + 2 * timeoutMs, closed: 0, expected: expected.size, lastProgressAt: start };
  let executions: Execution[] = [];
  let openAtDeadline: number | null = null;
  for (;;) {
    const all = await listIncidents(client).catch(() => undefined);
    progress.now = Date.now();
    if (all) {
      executions = all;
      const closed = new Set(all.filter((e) => expected.has(e.workflowId) && e.status === 'COMPLETED').map((e) => e.workflowId)).size;
      if (closed > progress.closed) progress.lastProgressAt = progress.now;
      progress.closed = closed;
    }
    if (openAtDeadline === null && progress.now > progress.deadline && progress.closed < expected.size) openAtDeadline = expected.size - progress.closed;
    if (!keepSettling(progress)) return { executions, openAtDeadline };
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/**
 * How fast incidents closed while the stream ran, and how long the last took to close after it:
 * a stack slower than the stream builds a backlog it drains after (figures, not a verdict).
 */
export function pace(executions: Execution[], expected: ReadonlySet<string>, loadStart: number, loadEnd: number): string | null {
  const closes = executions.flatMap((e) => (expected.has(e.workflowId) && e.status === 'COMPLETED' && e.closeTime ? [e.closeTime.getTime()] : []));
  if (closes.length === 0 || loadEnd <= loadStart) return null;
  const during = closes.filter((t) => t >= loadStart && t <= loadEnd).length;
  const perSecond = during / ((loadEnd - loadStart) / 1000);
  const drained = Math.max(...closes) - loadEnd;
  return `closed ${perSecond.toFixed(2)}/s while the stream ran; last closed ${Math.max(0, Math.round(drained / 1000))} s after it ended`;
}

/** Distinct DLQ messages (read_committed, so aborted transactions never count). */
export async function countDeadLetters(kafka: Kafka, topic: string, expected: number, timeoutMs = 20_000): Promise<number> {
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `faults-dlq-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(`${message.headers?.['vigil-dlq-source-partition']?.toString()}/${message.headers?.['vigil-dlq-source-offset']?.toString()}`);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (seen.size < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    // A little longer, so a surplus (a dead letter written twice) is seen too.
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await consumer.disconnect();
  }
  return seen.size;
}

export async function countRow(opts: {
  scenario: string;
  /** Every incident of this scenario carries it in its id (its pods' names): any other id under it is a duplicate. */
  prefix: string;
  client: Client;
  sent: Sent[];
  executions: Execution[];
  sink: WebhookSink;
  poisonDeadLettered: number;
  faultEnd: number | null;
  /** The remediation identity's writes in the audit log during the scenario (acting mode), else null. */
  writes: AuditWrite[] | null;
}): Promise<Row> {
  const expected = new Set(opts.sent.flatMap((s) => (s.incidentId ? [s.incidentId] : [])));
  const mine = opts.executions.filter((e) => expected.has(e.workflowId));
  const strays = new Set(opts.executions.filter((e) => !expected.has(e.workflowId) && e.workflowId.includes(opts.prefix)).map((e) => e.workflowId));
  const runs = new Map<string, Execution[]>();
  for (const e of mine) runs.set(e.workflowId, [...(runs.get(e.workflowId) ?? []), e]);
  const completed = [...runs.entries()].filter(([, es]) => es.some((e) => e.status === 'COMPLETED')).map(([id]) => id);
  const notes: string[] = [];
  // Extra runs under one id (other than continue-as-new), or an incident of this scenario under an id
  // the gate should not have made (a second window for one alert), are incidents opened twice.
  let duplicates = [...runs.values()].reduce((n, es) => n + Math.max(0, es.filter((e) => e.status !== 'CONTINUED_AS_NEW').length - 1), 0) + strays.size;
  if (strays.size > 0) notes.push(`${strays.size} incident(s) under unexpected ids, e.g. ${[...strays][0]}`);
  let anomalies = 0;
  let undeliveredRecorded = 0;
  let notificationsLost = 0;
  let notificationsRepeated = 0;
  let notificationsDuplicated = 0;
  let uncontained = 0;
  let uncontainedPaged = 0;
  const claimed: ClaimedWrite[] = [];
  for (const id of completed) {
    const handle = opts.client.workflow.getHandle(id);
    const alerts = await handle.query(alertsQuery);
    const state = await handle.query(stateQuery);
    // Each alert is on its own pod, so each incident must hold exactly one distinct alert.
    anomalies += alerts.alertIds.length;
    if (alerts.alertIds.length !== 1) duplicates += alerts.alertIds.length - 1;
    // The incident's own record of its notices against the webhook's 200s: a notice recorded as
    // delivered that the webhook never answered is lost; one recorded undelivered was retried to the
    // end of its budget and counted (vigil_notifications_undelivered_total), not lost silently.
    const recorded = state.notifications.filter((n) => n.delivered).length;
    const undelivered = state.notifications.filter((n) => !n.delivered).length;
    undeliveredRecorded += undelivered;
    // Completed is not contained: an action that failed or was refused closed the incident with a page.
    if (state.actionResults.some((r) => r.status === 'failed' || r.status === 'refused')) {
      uncontained += 1;
      if (state.notifications.some((n) => n.kind === 'remediation_refused')) uncontainedPaged += 1;
    }
    for (const r of state.actionResults.filter((a) => a.status === 'executed')) {
      for (const w of r.writes ?? []) if (w.state !== 'server_dry_run') claimed.push({ incident: id, kind: w.ref.kind, namespace: w.ref.namespace ?? '', name: w.ref.name });
    }
    if (state.notifications.length === 0) notificationsLost += 1;
    const keys = [...(opts.sink.delivered.get(id)?.values() ?? [])];
    const got = keys.length;
    if (got < recorded) notificationsLost += recorded - got;
    if (got > recorded) notificationsDuplicated += got - recorded;
    notificationsRepeated += keys.reduce((n, times) => n + times - 1, 0);
  }
  if (uncontained > 0) notes.push(`${uncontained} completed with an action failed or refused, ${uncontainedPaged} of them paged (remediation_refused)`);
  const lost = expected.size - completed.length;
  const stuck = [...runs.entries()].filter(([, es]) => !es.some((e) => e.status === 'COMPLETED')).map(([id, es]) => `${id}:${es.map((e) => e.status).join('/')}`);
  if (lost > 0) notes.push(`${expected.size - runs.size} never opened; not completed: ${stuck.slice(0, 3).join(', ')}${stuck.length > 3 ? ', ...' : ''}`);
  const poisonSent = opts.sent.filter((s) => s.poison).length;
  if (opts.poisonDeadLettered !== poisonSent) notes.push(`poison: ${poisonSent} sent, ${opts.poisonDeadLettered} dead-lettered`);
  let doubleWrites = 'n/a (dry-run)';
  let executedUnaudited = 0;
  if (opts.writes) {
    const twice = writesAppliedTwice(opts.writes);
    doubleWrites = String(twice.count);
    const failed = opts.writes.filter((w) => w.code >= 300).length;
    notes.push(`${opts.writes.length - failed} k8s writes audited${failed > 0 ? ` (+${failed} logged with an error status)` : ''}`);
    if (twice.count > 0) notes.push(`applied twice: ${twice.examples.join('; ')}`);
    const unaudited = writesNotAudited(claimed, opts.writes);
    executedUnaudited = unaudited.length;
    if (unaudited.length > 0) notes.push(`${unaudited.length} write(s) recorded as made with none in the audit log, e.g. ${unaudited.slice(0, 3).map((c) => `${c.incident} ${c.kind} ${c.namespace}/${c.name}`).join('; ')}`);
  }
  let recoverySeconds: number | null = null;
  if (opts.faultEnd !== null) {
    const after = mine.flatMap((e) => (e.closeTime && e.closeTime.getTime() >= opts.faultEnd! ? [e.closeTime.getTime()] : []));
    if (after.length > 0) recoverySeconds = Math.round((Math.min(...after) - opts.faultEnd) / 100) / 10;
  }
  return {
    scenario: opts.scenario,
    alertsSent: expected.size,
    poisonSent,
    poisonDeadLettered: opts.poisonDeadLettered,
    anomalies,
    opened: runs.size + strays.size,
    completed: completed.length,
    lost,
    duplicates,
    uncontained,
    uncontainedPaged,
    doubleWrites,
    executedUnaudited,
    notificationsLost,
    notificationsRepeated,
    notificationsDuplicated,
    undeliveredRecorded,
    recoverySeconds,
    notes,
  };
}

/** One write an incident's outcome says it made. */
export interface ClaimedWrite {
  incident: string;
  kind: string;
  namespace: string;
  name: string;
}

/** `NetworkPolicy` → `networkpolicies`: the audit log names resources, the outcome names kinds. */
function resourceOf(kind: string): string {
  const k = kind.toLowerCase();
  return k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`;
}

/**
 * The claimed writes with no write by the remediation identity to that object in the audit log,
 * whatever status it logged: a retry that found its own earlier write (already_applied) leans on
 * an attempt whose client may have been killed before the answer, so that attempt can log an error.
 */
export function writesNotAudited(claimed: ClaimedWrite[], audited: AuditWrite[]): ClaimedWrite[] {
  const seen = new Set(audited.map((w) => `${w.resource.split('/')[0]} ${w.namespace}/${w.name}`));
  return claimed.filter((c) => !seen.has(`${resourceOf(c.kind)} ${c.namespace}/${c.name}`));
}

/**
 * A row that breaks the promise: an incident lost or opened twice, a write recorded as made that
 * the API server never logged, a notice lost or sent twice as two notices, a poison message not
 * dead-lettered. A delivery repeated under its key is not: that
 * is at-least-once delivery, which the receiver deduplicates.
 */
export function rowBroken(r: Row): boolean {
  return r.lost > 0 || r.duplicates > 0 || r.executedUnaudited > 0 || r.notificationsLost > 0 || r.notificationsDuplicated > 0 || r.poisonDeadLettered !== r.poisonSent;
}
