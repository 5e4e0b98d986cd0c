import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Containment, IncidentState, JoinedAlert } from '../contracts';

/** Defined once, imported by the workflow and by every client (CLI, gate, tests). */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';

/**
 * `{"token":"<signed decision>"}`, as `vigil approve|reject <incident> --analyst <you> --print` prints it;
 * sendable from the Temporal UI or CLI. A plain `{"decision","analyst","reason"}` proves nothing and is refused
 * unless policy accepts unsigned decisions for the incident's namespace.
 */
export const analystDecisionSignal = defineSignal<[unknown]>('analystDecision');
/** Same payload as the signal, but the caller learns whether it was accepted, and why not. */
export const decideUpdate = defineUpdate<DecideResult, [unknown]>('decide');
/** A later alert with the same correlation key joins the incident instead of opening another (send `joinedAlertOf(anomaly)`). */
export const alertJoinedSignal = defineSignal<[JoinedAlert]>('alertJoined');
export const stateQuery = defineQuery<IncidentState>('state');
/** `{"analyst":"...","reason":"..."}`: undo the incident's containment (authorised by policy like a decision). */
export const revertContainmentUpdate = defineUpdate<Containment, [unknown]>('revertContainment');
/** Same payload: keep the containment; its policy TTL no longer releases it. */
export const confirmContainmentUpdate = defineUpdate<Containment, [unknown]>('confirmContainment');
/** Which alerts this incident holds: its first alert and every distinct alert that joined it. */
export const alertsQuery = defineQuery<IncidentAlerts>('alerts');

export interface IncidentAlerts {
  /** Fingerprints (trace ids for anomalies without one) of the first alert and the distinct joined ones, up to a bound. */
  alertIds: string[];
  /** Distinct alerts that joined after the first, including any past the bound. */
  joinedAlerts: number;
  /** Joined alerts counted past the bound, where redelivery can no longer be recognised. */
  untracked: number;
}

export interface DecideResult {
  accepted: true;
  decision: 'approve' | 'reject';
  /** Who decided, from the verified token. */
  analyst: string;
  /** The two-person rule's progress after this decision, e.g. "1 of 2 approvals (alice)". */
  progress: string;
  /** Whether this decision settled the escalation (quorum met, or the reject that ends it). */
  settled: boolean;
}
