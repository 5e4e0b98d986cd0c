import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentState, JoinedAlert } from '../contracts';

/** Defined once, imported by the workflow and by every client (CLI, gate, tests). */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';

/** `{"decision":"approve"|"reject","analyst":"...","reason":"..."}`; sendable from the Temporal UI or CLI. */
export const analystDecisionSignal = defineSignal<[unknown]>('analystDecision');
/** Same payload as the signal, but the caller learns whether it was accepted, and why not. */
export const decideUpdate = defineUpdate<DecideResult, [unknown]>('decide');
/** A later alert with the same correlation key joins the incident instead of opening another (send `joinedAlertOf(anomaly)`). */
export const alertJoinedSignal = defineSignal<[JoinedAlert]>('alertJoined');
export const stateQuery = defineQuery<IncidentState>('state');
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
  analyst: string;
}
