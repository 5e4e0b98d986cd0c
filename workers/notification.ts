import { createNotificationActivities } from '../activities/notification';
import { consoleNotifier } from '../activities/notification/notifiers/console';
import { webhookNotifier } from '../activities/notification/notifiers/webhook';
import { TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

main({
  name: 'notification',
  taskQueue: TASK_QUEUES.notification,
  options: async (log) => {
    const url = process.env.VIGIL_WEBHOOK_URL;
    const notifier = url ? webhookNotifier({ url }) : consoleNotifier();
    log.info({ notifier: notifier.name }, 'notifier selected');
    return { activities: createNotificationActivities({ notifier, log }) };
  },
});
