import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { Reason, Resolution } from '../../contracts';
import type { DecisionDesk } from './decisions';
import { DEFAULT_ESCALATION } from './fallbacks';
import type { Incident, IncidentCarry, Reviewed } from './incident';
import type { Notices } from './notices';
import type { IncidentObserver } from './observer';
import type { incidentWorkflow } from './workflow';

/**
 * History events a run may reach while it waits before it continues as new. A burst of joined
 * alerts is the only thing that grows a waiting incident's history; the server's own suggestion
 * (continueAsNewSuggested) ends a run earlier when it asks.
 */
export const WAIT_HISTORY_BUDGET = 1000;

export interface Settlement {
  execute: boolean;
  resolution: Resolution;
  /** The wait ended because a joined alert escalated the chain: analyse and review again first. */
  reopened?: true;
}

export interface EscalationParts {
  incident: Incident;
  desk: DecisionDesk;
  notices: Notices;
  observer: IncidentObserver;
}

export const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= WAIT_HISTORY_BUDGET;

/**
 * Pages a human and waits until analysts settle it (the quorum approves, or enough reject) or the
 * policy's deadline passes; then the policy's timeout outcome applies. `forced` are the reasons an
 * escalation happens that the verdict did not give (a failed step). A run resumed after
 * continue-as-new (`resumed`) has paged already and waits out the same deadline.
 */
export async function escalate({ incident, desk, notices, observer }: EscalationParts, reviewed: Reviewed, resumed: boolean, forced: Reason[] = []): Promise<Settlement> {
  const { verdict } = reviewed;
  const escalation = (verdict.outcome === 'escalate' ? verdict.escalation : null) ?? DEFAULT_ESCALATION;
  const state = incident.state;
  if (!resumed) {
    state.escalationDeadline = new Date(Date.now() + escalation.timeoutSeconds * 1000).toISOString();
    observer.escalated();
  }
  const deadline = Date.parse(state.escalationDeadline ?? '');
  const why = [...forced, ...(verdict.outcome === 'escalate' ? verdict.reasons : [])].map((r) => r.message).join('; ');
  desk.waiting(`needs a \`${escalation.requiredRole}\` decision by ${state.escalationDeadline}: ${why}`);
  if (!resumed) await notices.tell('escalation', reviewed, `escalate to a ${escalation.requiredRole} analyst`);

  for (;;) {
    const left = deadline - Date.now();
    if (left > 0) await condition(() => desk.settled !== null || incident.hasPending() || historyFull(), left);
    if (desk.settled) return settled(desk.settled.decision === 'approve', 'executed', 'rejected');
    if (incident.hasPending()) return { execute: false, resolution: 'rejected', reopened: true };
    if (Date.now() >= deadline) break;
    // Decisions being authorized finish here, so none is lost between runs.
    await condition(allHandlersFinished);
    if (desk.settled) continue;
    const carry: IncidentCarry = { state, reviewed, alerts: incident.alerts(), escalatedAt: observer.escalatedAt, pending: incident.pending(), earlier: incident.carryEarlier() };
    await continueAsNew<typeof incidentWorkflow>(state.anomaly, carry);
  }

  // The deadline has passed: the incident stops awaiting a decision now, before anyone is told,
  // and every decision from here on is refused (the desk also checks the deadline itself).
  incident.show('notifying', `escalation expired: ${escalation.onTimeout}`);
  const execute = escalation.onTimeout === 'auto_execute';
  const outcome = settled(execute, 'expired_executed', 'expired_rejected');
  desk.expire(verdict, escalation);
  state.resolution = outcome.resolution;
  // Older verdicts carry no `repage`: they always paged again.
  if (escalation.repage !== false) await notices.tell('escalation_expired', reviewed, `escalation expired: ${escalation.onTimeout}`);
  return outcome;
}

function settled(execute: boolean, ifExecute: Resolution, otherwise: Resolution): Settlement {
  return { execute, resolution: execute ? ifExecute : otherwise };
}
