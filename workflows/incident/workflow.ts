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
  const notices = new Notices(incident, desk, agents);
  const containment = new ContainmentDesk(incident, agents);
  installHandlers(incident, desk, containment);
  incident.publish();

  let reviewed = carry?.reviewed ?? (await analyseAndReview(incident, agents));
  let resumed = carry !== undefined;
  let settlement: Settlement;
  // A joined alert that escalates the chain (a new rule, technique or a higher priority) is
  // analysed and reviewed before anything is settled, so a harmless first alert does not decide
  // for the alerts that follow it.
  for (;;) {
    const outcome = reviewed.verdict.outcome;
    settlement = { execute: outcome === 'auto_execute', resolution: outcome === 'auto_execute' ? 'executed' : 'rejected' };
    if (outcome === 'escalate') settlement = await escalate({ incident, desk, notices, observer }, reviewed, resumed);
    resumed = false;
    if (settlement.execute || !incident.hasPending()) break;
    const before = state.anomaly;
    incident.about(incident.takePending() ?? before);
    observer.reanalysed();
    const again = await analyseAndReview(incident, agents);
    if (settlement.reopened && again.verdict.outcome === 'auto_reject') {
      // A later alert that alone would be rejected does not withdraw an escalation in force: keep waiting on it.
      incident.about(before);
      incident.analysed(reviewed.analysis);
      incident.reviewed(reviewed.verdict);
      resumed = true;
      continue;
    }
    reviewed = again;
  }
  incident.settlePending();
  const { verdict } = reviewed;

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
  const chain = incident.chain();
  const verdict = await agents.review({ anomaly, analysis, asset, ...(chain.length ? { chain } : {}) }, `policy review of ${analysis.actions.length} proposed action(s)${chain.length ? ` with ${chain.length} earlier alert(s) of the chain` : ''}`);
  incident.reviewed(verdict);
  return { analysis, verdict };
}
