import { incidentCounter } from '../../lib/metrics';

/**
 * The notification agent's metrics, obtained by its skill's `observe` hook (`index.ts`). A notice
 * still undelivered when the retry budget ran out is seen only by the coordinator, which counts it
 * (`vigil_notifications_undelivered_total`, workers/coordinator/metrics.ts): no attempt here knows it was the last.
 */
export const notificationMetrics = {
  notifications: incidentCounter('vigil_notifications_total', 'Notifications by kind, channel and whether they were delivered.', ['kind', 'channel', 'delivered']),
};
