import { createNotificationActivities, notificationSkill } from '../activities/notification';
import { consoleNotifier } from '../activities/notification/notifiers/console';
import { webhookNotifier } from '../activities/notification/notifiers/webhook';
import { TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

main({
  name: 'notification',
  taskQueue: TASK_QUEUES.notification,
  setup: async (log, env) => {
    const url = env.VIGIL_WEBHOOK_URL;
    const notifier = url ? webhookNotifier({ url }) : consoleNotifier();
    log.info({ notifier: notifier.name }, 'notifier selected');
    return {
      worker: { activities: createNotificationActivities({ notifier, log }) },
      agent: {
        name: 'notification',
        description: 'Vigil notification agent: tells people about an incident; escalations say exactly how to approve or reject.',
        skills: [notificationSkill(notifier)],
        tools: [`notifier:${notifier.name}`],
      },
    };
  },
});
