import { allHandlersFinished, condition, patched } from '@temporalio/workflow';
import type { Anomaly, IncidentOutcome } from '../../contracts';
import { AgentCalls } from './agents';
import { ContainmentDesk, heldWrites, refusedOrFailed } from './containment';
import { DecisionDesk } from './decisions';
import type { Settlement } from './escalation';
import { escalate } from './escalation';
import { installHandlers } from './handlers';
import type { IncidentCarry, Reviewed } from './incident';
import { Incident } from './incident';
import { Notices } from './notices';
import { IncidentObserver } from './observer';

/** Histories from before signed anomalies replay as they ran. */
const UNTRUSTED_NEVER_EXECUTES = 'vigil-untrusted-never-executes';

/**
 * One security incident: analysis → review → (escalation and a durable wait for an analyst)
 * → remediation → notification. Every agent is an activity on its own task queue. A run that
 * continued as new during a long escalation (`carry`) resumes the wait where it was.
 */
export async function incidentWorkflow(anomaly: Anomaly, carry?: IncidentCarry): Promise<IncidentOutcome> {
  const incident = carry ? Incident.resume(carry) : Incident.open(anomaly);
  const state = incident.state;
  const observer = new IncidentObserver(state.traceId, carry?.escalatedAt ?? null);
  const agents = new AgentCalls(incident.id, state.traceId, observer);
  const desk = new DecisionDesk(incident, agents, observer);
  const notices = new Notices(incident, desk, agents, observer);
  const containment = new ContainmentDesk(incident, agents);
  installHandlers(incident, desk, containment);
  incident.publish();

  const reviewed = carry?.reviewed ?? (await analyseAndReview(incident, agents));
  const { verdict } = reviewed;
  let settlement: Settlement = { execute: verdict.outcome === 'auto_execute', resolution: verdict.outcome === 'auto_execute' ? 'executed' : 'rejected' };
  if (verdict.outcome === 'escalate') settlement = await escalate({ incident, desk, notices, observer }, reviewed, carry !== undefined);

  // Under the review agent's own floor: an incident the gate did not open runs nothing without an analyst.
  if (settlement.execute && !desk.accepted && verdict.originTrusted !== true && patched(UNTRUSTED_NEVER_EXECUTES)) {
    settlement = { execute: false, resolution: settlement.resolution === 'expired_executed' ? 'expired_rejected' : 'rejected' };
  }
  const actions = verdict.allowedActions;
  if (settlement.execute && actions.length > 0) {
    const names = actions.map((a) => a.actionner).join(', ');
    incident.show('remediating', `${names} on ${state.assetLabel}`);
    state.actionResults = await agents.remediate(actions, verdict, state.asset, `run ${names}`);
    // Fail closed and loud: an allowed action that pre-flight, a guard or the API server refused pages a human.
    if (refusedOrFailed(state.actionResults)) await notices.tell('remediation_refused', reviewed, 'remediation refused: a human must look');
    if (heldWrites(state.actionResults)) await containment.open(state.severity);
  }

  const { resolution } = settlement;
  state.resolution = resolution;
  incident.show('notifying', `resolution ${resolution}`);
  await notices.tell('resolution', reviewed, `report ${resolution}`);
  if (state.containment?.state === 'held') await containment.hold(reviewed, notices);

  const decidedBy = desk.accepted?.analyst ?? null;
  const ran = state.actionResults.map((r) => `${r.actionner}=${r.status}`).join(', ') || 'no actions run';
  incident.show('closed', `${resolution}${decidedBy ? ` by ${decidedBy}` : ''}; ${ran}`);
  // Late decisions may still be in flight; let them finish so their refusals land in history.
  await condition(allHandlersFinished);
  return { incidentId: incident.id, traceId: state.traceId, resolution, verdict: verdict.outcome, decidedBy, actionResults: state.actionResults, containment: state.containment ?? null };
}

async function analyseAndReview(incident: Incident, agents: AgentCalls): Promise<Reviewed> {
  const { anomaly, asset, assetLabel } = incident.state;
  incident.show('analysing', `${anomaly.alert.rule} on ${assetLabel}`);
  const analysis = await agents.analyse(anomaly, `analyse "${anomaly.alert.rule}" on ${assetLabel}`);
  incident.analysed(analysis);
  incident.show('reviewing', analysis.summary);
  const verdict = await agents.review({ anomaly, analysis, asset }, `policy review of ${analysis.actions.length} proposed action(s)`);
  incident.reviewed(verdict);
  return { analysis, verdict };
}
