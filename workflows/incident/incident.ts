import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Analysis, Anomaly, FalcoAlert, IncidentFailure, IncidentState, IncidentStatus, JoinedAlert, TimelineEntry, Verdict } from '../../contracts';
import { AnomalySchema, assetLabel, assetOf, ChainSummary, joinedAlertFacts, joinedAlertId, joinedAlertOf, SA, SEVERITIES, severityFromPriority, TRUST_LABELS } from '../../contracts';
import type { IncidentAlerts } from '../definitions';

/** Alerts an incident remembers to recognise redelivery; a burst past this is still counted. */
const MAX_TRACKED_ALERTS = 2000;
/** Alerts the timeline shows; later ones are counted in `joinedAlerts` (the first ones tell the story). */
export const MAX_TIMELINE = 100;
/** Analyses and reviews run again for one incident; past this, novel alerts wait for a human. */
export const MAX_REANALYSES = 5;

/** What review decided about the analysis: everything after it depends on both. */
export interface Reviewed {
  analysis: Analysis;
  verdict: Verdict;
}

/** What a run hands to the next when a long escalation continues as new. */
export interface IncidentCarry {
  state: IncidentState;
  reviewed: Reviewed;
  alerts: IncidentAlerts;
  escalatedAt: number | null;
  /** A novel joined alert not yet analysed when the run continued as new. */
  pending?: Anomaly | null;
  /** The chain's earlier alerts the incident was about (see Incident.chain). */
  earlier?: FalcoAlert[];
}

/** Earlier alerts handed to review: the first and each novel one, so at most 1 + MAX_REANALYSES. */
const MAX_EARLIER = 1 + MAX_REANALYSES;

/** A chain is as severe as its worst alert so far (SEVERITIES runs from the most severe). */
function worse(a: IncidentState['severity'], b: IncidentState['severity']): IncidentState['severity'] {
  return SEVERITIES.indexOf(b) < SEVERITIES.indexOf(a) ? b : a;
}

function entryOf(a: Omit<JoinedAlert, 'id' | 'anomaly'>, novel: boolean): TimelineEntry {
  return {
    traceId: a.traceId,
    rule: a.rule,
    priority: a.priority,
    score: a.score,
    ...(a.time ? { time: a.time } : {}),
    ...(a.process ? { process: a.process } : {}),
    ...(a.techniques?.length ? { techniques: a.techniques } : {}),
    ...(a.touches?.length ? { touches: a.touches } : {}),
    novel,
  };
}

/**
 * One incident's state and its alert bookkeeping; the workflow's handlers and steps read and
 * change it only through here. Its query answers are plain data, so they are also what a
 * continued run starts from.
 */
export class Incident {
  private readonly alertIds: Set<string>;
  private untracked: number;
  /** Attributes changed since the last status, sent with the next one (see upsert). */
  private readonly changed = new Map<string, SearchAttributeUpdatePair>();
  /** What the chain has brought so far (rules, techniques, worst priority): a joined alert adding to it is novel. */
  private readonly seen = new ChainSummary();
  /** The newest novel joined alert, whole and schema-checked, waiting to be analysed and reviewed. */
  private pendingAlert: { anomaly: Anomaly; entry: TimelineEntry | null } | null;
  /** Alerts the incident was about before the current one, oldest first. */
  private readonly earlier: FalcoAlert[];

  private constructor(
    readonly state: IncidentState,
    alerts: Pick<IncidentAlerts, 'alertIds' | 'untracked'>,
    pending: Anomaly | null,
    earlier: FalcoAlert[] = [],
  ) {
    this.earlier = earlier.slice(-MAX_EARLIER);
    this.alertIds = new Set(alerts.alertIds);
    this.untracked = alerts.untracked;
    const first = joinedAlertOf(state.anomaly);
    this.seen.add({ rule: first.rule, priority: first.priority, techniques: first.techniques, touches: first.touches });
    for (const e of state.timeline ?? []) this.seen.add({ rule: e.rule, priority: e.priority as JoinedAlert['priority'], techniques: e.techniques, touches: e.touches });
    this.pendingAlert = pending ? { anomaly: pending, entry: null } : null;
  }

  static open(anomaly: Anomaly): Incident {
    const incidentId = workflowInfo().workflowId;
    const asset = assetOf(anomaly.alert);
    const state: IncidentState = {
      incidentId,
      traceId: anomaly.traceId,
      status: 'analysing',
      resolution: null,
      anomaly,
      joinedAlerts: 0,
      timeline: [entryOf(joinedAlertOf(anomaly), true)],
      reanalyses: 0,
      followUpOf: anomaly.followUpOf ?? null,
      asset,
      assetLabel: assetLabel(asset),
      severity: severityFromPriority(anomaly.alert.priority),
      analysis: null,
      verdict: null,
      trusted: null,
      escalationDeadline: null,
      decisions: [],
      quorum: null,
      decisionNonces: [],
      refusalsDropped: 0,
      failures: [],
      actionResults: [],
      containment: null,
      notifications: [],
      startedAt: new Date().toISOString(),
    };
    return new Incident(state, { alertIds: [joinedAlertOf(anomaly).id], untracked: 0 }, null);
  }

  static resume(carry: IncidentCarry): Incident {
    return new Incident(carry.state, carry.alerts, carry.pending ?? null, carry.earlier ?? []);
  }

  get id(): string {
    return this.state.incidentId;
  }

  /** Status in the state, the search attributes and the UI's current details. */
  show(status: IncidentStatus, details: string): void {
    this.state.status = status;
    this.upsert([{ key: SA.status, value: status }], true);
    setCurrentDetails(`**${status}** — ${details}${this.chainLine()}`);
  }

  /**
   * Every upsert is a history event and a visibility write, so attributes go out once per step:
   * remembered until the step's status (`now`), then every pair whose value differs from what the
   * run already carries (the gate's start sets status, severity, asset, trace id and score) in one
   * upsert. An auto-executed incident upserts 4 times instead of 8. Every step ends in a status,
   * so nothing waits long. No `patched()` guard: it would add a marker and a
   * TemporalChangeVersion upsert to every run; an incident in flight across an upgrade that
   * changes this fails its replay loudly (nondeterminism) instead, so drain before upgrading.
   */
  private upsert(pairs: SearchAttributeUpdatePair[], now = false): void {
    for (const p of pairs) this.changed.set(p.key.name, p);
    if (!now) return;
    const current = workflowInfo().typedSearchAttributes;
    const send = [...this.changed.values()].filter((p) => current.get(p.key) !== p.value);
    this.changed.clear();
    if (send.length > 0) upsertSearchAttributes(send);
  }

  /** The chain in the UI's current details: how many alerts and which rules (as inert code spans). */
  private chainLine(): string {
    const timeline = this.state.timeline ?? [];
    if (this.state.joinedAlerts === 0) return '';
    const rules = [...new Set(timeline.map((e) => e.rule))].slice(0, 8).map((r) => `\`${r.replace(/[`\n\r]/g, ' ').slice(0, 80)}\``);
    return `\n\n**Chain:** ${this.state.joinedAlerts + 1} alerts, rules ${rules.join(', ')}${this.state.reanalyses ? `; analysed again ${this.state.reanalyses}×` : ''}`;
  }

  /** The attributes the UI filters on, as they stand now. */
  publish(): void {
    this.upsert([
      { key: SA.severity, value: this.state.severity },
      { key: SA.asset, value: this.state.assetLabel },
      { key: SA.traceId, value: this.state.traceId },
      { key: SA.anomalyScore, value: this.state.anomaly.score },
      ...(this.state.verdict ? [{ key: SA.verdict, value: this.state.verdict.outcome }] : []),
      ...(typeof this.state.trusted === 'boolean' ? [{ key: SA.trusted, value: this.state.trusted ? TRUST_LABELS.trusted : TRUST_LABELS.untrusted }] : []),
    ]);
  }

  analysed(analysis: Analysis): void {
    this.state.analysis = analysis;
    this.state.severity = analysis.severity;
    this.upsert([{ key: SA.severity, value: analysis.severity }]);
  }

  /** A step failed past its retries: kept in the state (and the outcome), logged loud; the caller falls back. */
  failed(step: IncidentFailure['step'], err: unknown): void {
    const message = (err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err)).slice(0, 2000);
    this.state.failures.push({ step, message, at: new Date().toISOString() });
    log.error('incident step failed', { incidentId: this.id, step, error: message });
  }

  /** The review agent's signed verdict says whether the gate opened this incident; the UI filters on it (VigilTrusted). */
  reviewed(verdict: Verdict): void {
    this.state.verdict = verdict;
    this.state.trusted = verdict.originTrusted === true;
    this.upsert([
      { key: SA.verdict, value: verdict.outcome },
      { key: SA.trusted, value: this.state.trusted ? TRUST_LABELS.trusted : TRUST_LABELS.untrusted },
    ]);
  }

  /**
   * signalWithStart hands the first alert to the new run as a signal too, and Kafka may redeliver
   * any alert: both are recognised by id, so each distinct alert counts once (within a bound).
   */
  join(raw: unknown): void {
    const id = joinedAlertId(raw);
    if (id === null) return void log.warn('alertJoined without a usable id ignored', { incidentId: this.id });
    if (this.alertIds.has(id)) return;
    if (this.alertIds.size < MAX_TRACKED_ALERTS) this.alertIds.add(id);
    else this.untracked += 1;
    this.state.joinedAlerts += 1;
    this.state.lastAlertAt = new Date().toISOString();
    const facts = joinedAlertFacts(raw);
    if (!facts) return void log.warn('alertJoined with malformed facts: counted, not on the timeline', { incidentId: this.id });
    const novel = this.seen.add(facts);
    const timeline = (this.state.timeline ??= []);
    const entry = timeline.length < MAX_TIMELINE ? entryOf(facts, novel) : null;
    if (entry) timeline.push(entry);
    if (novel) this.escalatedBy(raw, facts.traceId, entry);
  }

  /** A novel alert is analysed again with its whole body, which must be the gate's anomaly for this incident. */
  private escalatedBy(raw: unknown, traceId: string, entry: TimelineEntry | null): void {
    const body = (raw as { anomaly?: unknown }).anomaly;
    const parsed = body === undefined ? null : AnomalySchema.safeParse(body);
    if (!parsed?.success || parsed.data.traceId !== traceId) {
      if (entry) entry.reanalysis = 'no_alert_body';
      return void log.warn('novel alert joined without a usable alert body: on the timeline, not analysed', { incidentId: this.id, traceId });
    }
    if ((this.state.reanalyses ?? 0) >= MAX_REANALYSES) {
      if (entry) entry.reanalysis = 'limit_reached';
      return;
    }
    if (this.pendingAlert?.entry) this.pendingAlert.entry.reanalysis = 'after_settlement';
    this.pendingAlert = { anomaly: parsed.data, entry };
  }

  /** Whether a novel joined alert waits to be analysed and reviewed. */
  hasPending(): boolean {
    return this.pendingAlert !== null;
  }

  /** The pending novel alert, taken (counted as one more analysis): see `about`. */
  takePending(): Anomaly | null {
    const p = this.pendingAlert;
    this.pendingAlert = null;
    if (!p) return null;
    if (p.entry) p.entry.reanalysis = 'done';
    this.state.reanalyses = (this.state.reanalyses ?? 0) + 1;
    return p.anomaly;
  }

  /**
   * Makes an alert of the chain what the incident is about: the next analysis and review judge
   * it, and its asset is the one remediation may act on (the chain may have moved to another pod
   * of the workload). The timeline keeps every alert; severity stays the chain's worst.
   */
  about(anomaly: Anomaly): void {
    if (anomaly === this.state.anomaly) return;
    this.earlier.push(this.state.anomaly.alert);
    if (this.earlier.length > MAX_EARLIER) this.earlier.shift();
    const asset = assetOf(anomaly.alert);
    this.state.anomaly = anomaly;
    this.state.asset = asset;
    this.state.assetLabel = assetLabel(asset);
    this.state.severity = worse(this.state.severity, severityFromPriority(anomaly.alert.priority));
    this.upsert([
      { key: SA.asset, value: this.state.assetLabel },
      { key: SA.severity, value: this.state.severity },
    ]);
  }

  /** Novel alerts that arrived once the incident had acted, or too late: on the timeline only. */
  settlePending(): void {
    if (this.pendingAlert?.entry) this.pendingAlert.entry.reanalysis = 'after_settlement';
    this.pendingAlert = null;
  }

  /** The chain's other alerts, for review to weigh (policies/vigil/evidence.rego `chain`). */
  chain(): FalcoAlert[] {
    return this.earlier.filter((a) => a !== this.state.anomaly.alert);
  }

  carryEarlier(): FalcoAlert[] {
    return [...this.earlier];
  }

  pending(): Anomaly | null {
    return this.pendingAlert?.anomaly ?? null;
  }

  alerts(): IncidentAlerts {
    return { alertIds: [...this.alertIds], joinedAlerts: this.state.joinedAlerts, untracked: this.untracked };
  }
}
