import type { InjectedSinks } from '@temporalio/worker';
import type { Logger } from '../../lib/logger';
import { count, observe } from '../../lib/metrics';
import { recordAgentSignals } from '../../lib/metrics-compliance';
import type { IncidentObserverSinks } from '../../workflows/incident';
import { coordinatorMetrics } from './metrics';

/** The Node side of the workflow's observer events: what the coordinator saw becomes metrics. Not called on replay. */
export function incidentObserverSinks(log: Logger): InjectedSinks<IncidentObserverSinks> {
  return {
    incidentObserver: {
      agentSignals: {
        fn: (_info, agent, signals) => recordAgentSignals(agent, signals),
        callDuringReplay: false,
      },
      escalationSettled: {
        fn: (info, outcome, waitSeconds, traceId) => {
          count(coordinatorMetrics.decisions(), { labels: { outcome }, traceId });
          observe(coordinatorMetrics.escalationWait(), { labels: { outcome }, value: waitSeconds, traceId });
          log.info({ trace_id: traceId, incident_id: info.workflowId, escalation: { outcome, waitSeconds } }, 'escalation settled');
        },
        callDuringReplay: false,
      },
      reanalysed: {
        fn: (info, traceId) => {
          count(coordinatorMetrics.reanalyses(), { labels: {}, traceId });
          log.info({ trace_id: traceId, incident_id: info.workflowId }, 'chain escalated: analysing and reviewing again');
        },
        callDuringReplay: false,
      },
      notificationUndelivered: {
        fn: (info, kind, traceId) => {
          count(coordinatorMetrics.notificationsUndelivered(), { labels: { kind }, traceId });
          log.error({ trace_id: traceId, incident_id: info.workflowId, notice: { kind } }, 'notice undelivered after its retry budget');
        },
        callDuringReplay: false,
      },
    },
  };
}
