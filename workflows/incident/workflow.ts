import { ActivityFailure, allHandlersFinished, condition, ContinueAsNew, patched } from '@temporalio/workflow';
import type { ActionResult, Analysis, Anomaly, IncidentOutcome, Resolution, Verdict } from '../../contracts';
import { AgentCalls } from './agents';
import { ContainmentDesk, heldWrites, refusedOrFailed } from './containment';
import { DecisionDesk } from './decisions';
import type { Settlement } from './escalation';
import { escalate } from './escalation';
import { emptyAnalysis, forcedEscalation, unreviewedVerdict } from './fallbacks';
import { installHandlers } from './handlers';
import type { IncidentCarry, Reviewed } from './incident';
import { Incident } from './incident';
import { Notices } from './notices';
import { IncidentObserver } from './observer';
import { Watch } from './watch';

/** Histories from before signed anomalies replay as they ran. */
const UNTRUSTED_NEVER_EXECUTES = 'vigil-untrusted-never-executes';

/**
 * One security incident: analysis → review → (escalation and a durable wait for analysts)
 * → remediation → notification. Every agent is an activity on its own task queue. A run that
 * continued as new during a long escalation (`carry`) resumes the wait where it was. Nothing
 * fails silently: a failed analysis or review escalates and pages, a failed step pages.
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
  try {
    return await respond({ incident, agents, desk, notices, containment, observer }, carry);
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // Whatever ends the incident unplanned is paged before the workflow fails.
    incident.failed('workflow', err);
    await notices.page('the incident workflow failed');
    throw err;
  }
}

/** The incident and the desks that act for it, built once per run. */
interface Parts {
  incident: Incident;
  agents: AgentCalls;
  desk: DecisionDesk;
  notices: Notices;
  containment: ContainmentDesk;
  observer: IncidentObserver;
}

async function respond(parts: Parts, carry?: IncidentCarry): Promise<IncidentOutcome> {
  const { incident, agents, desk } = parts;
  const state = incident.state;
  const watch = new Watch(incident);
  let reviewed = carry?.reviewed ?? (await analyseAndReview(incident, agents));
  let resumed = carry !== undefined;
  let resolution: Resolution;
  // Each round settles the chain as it stands; a novel alert while the settled incident watches
  // its workload starts another round in this incident (bounded by MAX_REANALYSES).
  for (;;) {
    ({ reviewed, resolution } = await settleAndAct(parts, reviewed, resumed));
    resumed = false;
    if (!watch.follows(resolution, state.containment)) break;
    incident.show('watching', `${resolution}; watching ${state.assetLabel} for more of the chain`);
    if (!(await watch.next())) break;
    reviewed = await reanalyse(parts);
    desk.newVerdict();
  }
  incident.settlePending();
  const { verdict } = reviewed;
  const decidedBy = desk.decidedBy;
  const ran = state.actionResults.map((r) => `${r.actionner}=${r.status}`).join(', ') || 'no actions run';
  incident.show('closed', `${resolution}${decidedBy ? ` by ${decidedBy}` : ''}; ${ran}`);
  // Late decisions may still be in flight; let them finish so their refusals land in history.
  await condition(allHandlersFinished);
  return {
    incidentId: incident.id,
    traceId: state.traceId,
    resolution,
    verdict: verdict.outcome,
    decidedBy,
    actionResults: state.actionResults,
    containment: state.containment ?? null,
    undelivered: state.notifications.filter((n) => !n.delivered).map((n) => n.kind),
    failures: state.failures,
  };
}

/**
 * One round: settle the verdict (escalating and waiting when it says so), then act on it, tell
 * people and hold any containment. A joined alert that escalates the chain (a new rule, technique
 * or a higher priority) is analysed and reviewed before anything is settled, so a harmless first
 * alert does not decide for the alerts that follow it.
 */
async function settleAndAct(parts: Parts, reviewed: Reviewed, resumed: boolean): Promise<{ reviewed: Reviewed; resolution: Resolution }> {
  const { incident, agents, desk, notices, containment, observer } = parts;
  const state = incident.state;
  let settlement: Settlement;
  for (;;) {
    const outcome = reviewed.verdict.outcome;
    const forced = forcedEscalation(incident);
    settlement = { execute: outcome === 'auto_execute', resolution: outcome === 'auto_execute' ? 'executed' : 'rejected' };
    if (outcome === 'escalate' || forced.length > 0) settlement = await escalate({ incident, desk, notices, observer }, reviewed, resumed, forced);
    resumed = false;
    if (settlement.execute || !incident.hasPending()) break;
    const before = state.anomaly;
    const again = await reanalyse(parts);
    if (settlement.reopened && again.verdict.outcome === 'auto_reject') {
      // A later alert that alone would be rejected does not withdraw an escalation in force: keep waiting on it.
      incident.about(before);
      incident.analysed(reviewed.analysis);
      incident.reviewed(reviewed.verdict);
      resumed = true;
      continue;
    }
    reviewed = again;
    desk.newVerdict();
  }
  incident.settlePending();
  const { verdict } = reviewed;

  // Under the review agent's own floor: an incident the gate did not open runs nothing without an analyst.
  if (settlement.execute && !desk.settled && verdict.originTrusted !== true && patched(UNTRUSTED_NEVER_EXECUTES)) {
    settlement = { execute: false, resolution: settlement.resolution === 'expired_executed' ? 'expired_rejected' : 'rejected' };
  }
  const actions = verdict.allowedActions;
  let { resolution } = settlement;
  if (settlement.execute && actions.length > 0) {
    const names = actions.map((a) => a.actionner).join(', ');
    incident.show('remediating', `${names} on ${state.assetLabel}`);
    let results: ActionResult[] = [];
    try {
      results = await agents.remediate(actions, verdict, state.asset, `run ${names}`);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      incident.failed('remediation', err);
      resolution = 'failed';
    }
    // Earlier rounds' results stay: the outcome and a revert cover everything the incident did.
    state.actionResults = [...state.actionResults, ...results];
    // Fail closed and loud: an allowed action that pre-flight, a guard or the API server refused pages a human.
    if (refusedOrFailed(results)) await notices.tell('remediation_refused', reviewed, 'remediation refused: a human must look');
    if (heldWrites(results)) await containment.open(state.severity);
  }

  state.resolution = resolution;
  incident.show('notifying', `resolution ${resolution}`);
  if (resolution === 'failed') await notices.page(`remediation failed after its retries`);
  else await notices.tell('resolution', reviewed, `report ${resolution}`);
  if (state.containment?.state === 'held') await containment.hold(reviewed, notices);
  return { reviewed, resolution };
}

/** The pending novel alert becomes what the incident is about, and is analysed and reviewed on the chain. */
async function reanalyse({ incident, agents, observer }: Parts): Promise<Reviewed> {
  incident.about(incident.takePending() ?? incident.state.anomaly);
  observer.reanalysed();
  return analyseAndReview(incident, agents);
}

/** Analysis, then review; a failure of either falls back (never to execution) and is recorded for the escalation it forces. */
async function analyseAndReview(incident: Incident, agents: AgentCalls): Promise<Reviewed> {
  const { anomaly, asset, assetLabel } = incident.state;
  incident.show('analysing', `${anomaly.alert.rule} on ${assetLabel}`);
  const analysis = await analyseOrFallBack(incident, agents, `analyse "${anomaly.alert.rule}" on ${assetLabel}`);
  incident.analysed(analysis);
  incident.show('reviewing', analysis.summary);
  const chain = incident.chain();
  let verdict: Verdict;
  try {
    verdict = await agents.review({ anomaly, analysis, asset, ...(chain.length ? { chain } : {}) }, `policy review of ${analysis.actions.length} proposed action(s)${chain.length ? ` with ${chain.length} earlier alert(s) of the chain` : ''}`);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    incident.failed('review', err);
    verdict = unreviewedVerdict(incident, incident.state.failures.at(-1)?.message ?? 'review failed');
  }
  incident.reviewed(verdict);
  return { analysis, verdict };
}

async function analyseOrFallBack(incident: Incident, agents: AgentCalls, summary: string): Promise<Analysis> {
  const { anomaly } = incident.state;
  try {
    return await agents.analyse(anomaly, summary);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    incident.failed('analysis', err);
  }
  try {
    return await agents.analyse(anomaly, 'deterministic analysis (the analysis failed)', true);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    incident.failed('analysis', err);
    return emptyAnalysis(incident, incident.state.failures.at(-1)?.message ?? 'analysis failed');
  }
}
