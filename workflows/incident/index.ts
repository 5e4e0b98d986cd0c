export { incidentWorkflow } from './workflow';
export type { IncidentCarry } from './incident';
export type { IncidentObserverSinks, ObservedSignals, SettledOutcome } from './observer';
