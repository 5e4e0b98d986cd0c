import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { Analysis, Anomaly, IncidentFailure, IncidentState, IncidentStatus, Verdict } from '../../contracts';
import { assetLabel, assetOf, joinedAlertId, joinedAlertOf, SA, severityFromPriority, TRUST_LABELS } from '../../contracts';
import type { IncidentAlerts } from '../definitions';

/** Alerts an incident remembers to recognise redelivery; a burst past this is still counted. */
const MAX_TRACKED_ALERTS = 2000;

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

  private constructor(
    readonly state: IncidentState,
    alerts: Pick<IncidentAlerts, 'alertIds' | 'untracked'>,
  ) {
    this.alertIds = new Set(alerts.alertIds);
    this.untracked = alerts.untracked;
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
    return new Incident(state, { alertIds: [joinedAlertOf(anomaly).id], untracked: 0 });
  }

  static resume(carry: IncidentCarry): Incident {
    return new Incident(carry.state, carry.alerts);
  }

  get id(): string {
    return this.state.incidentId;
  }

  /** Status in the state, the search attributes and the UI's current details. */
  show(status: IncidentStatus, details: string): void {
    this.state.status = status;
    this.upsert([{ key: SA.status, value: status }], true);
    setCurrentDetails(`**${status}** — ${details}`);
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
  }

  alerts(): IncidentAlerts {
    return { alertIds: [...this.alertIds], joinedAlerts: this.state.joinedAlerts, untracked: this.untracked };
  }
}
