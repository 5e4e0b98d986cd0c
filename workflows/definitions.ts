import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Anomaly, IncidentState } from '../contracts';

/** Defined once, imported by the workflow and by every client (CLI, gate, tests). */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';

/** `{"decision":"approve"|"reject","analyst":"...","reason":"..."}`; sendable from the Temporal UI or CLI. */
export const analystDecisionSignal = defineSignal<[unknown]>('analystDecision');
/** Same payload as the signal, but the caller learns whether it was accepted, and why not. */
export const decideUpdate = defineUpdate<DecideResult, [unknown]>('decide');
/** A later alert with the same correlation key joins the incident instead of opening another. */
export const alertJoinedSignal = defineSignal<[Anomaly]>('alertJoined');
export const stateQuery = defineQuery<IncidentState>('state');

export interface DecideResult {
  accepted: true;
  decision: 'approve' | 'reject';
  analyst: string;
}
