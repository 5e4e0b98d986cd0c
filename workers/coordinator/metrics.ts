import { incidentCounter, incidentHistogram } from '../../lib/metrics';

const WAIT_BUCKETS = [1, 5, 15, 60, 300, 900, 1800, 3600, 14_400, 43_200, 86_400];

/**
 * What the coordinator counts of the incidents it runs, from the workflow's observer events
 * (`observer-sinks.ts`, not on replay), so the coordinator process exports them. One outcome of
 * `vigil_analyst_decisions_total` is counted elsewhere: `refused`, by the review agent's
 * authority skill (activities/review/index.ts), the one part that sees a refusal.
 */
export const coordinatorMetrics = {
  decisions: incidentCounter(
    'vigil_analyst_decisions_total',
    'Escalations settled, by outcome: approve or reject by an analyst, timeout (policy outcome applied), refused (an attempt policy did not authorize).',
    ['outcome'],
  ),
  escalationWait: incidentHistogram('vigil_escalation_wait_seconds', 'Time from escalation to its settlement (analyst decision or deadline), by outcome.', ['outcome'], WAIT_BUCKETS),
  reanalyses: incidentCounter(
    'vigil_incident_reanalyses_total',
    'Incidents analysed and reviewed again because a joined alert escalated the chain (a new rule, technique or higher priority).',
    [],
  ),
  notificationsUndelivered: incidentCounter(
    'vigil_notifications_undelivered_total',
    'Notices still undelivered when their retry budget ran out (recorded in the incident outcome; the incident closes anyway), by kind.',
    ['kind'],
  ),
};
