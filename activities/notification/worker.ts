import { AGENTS } from '../../contracts';
import type { WorkerProcess } from '../../lib/worker-process';
import { agentFace } from '../../lib/worker-process';
import { createNotificationActivities, notificationSkill } from '.';
import { fanOut, notifiersFromEnv } from './notifiers';

export const notificationWorker: WorkerProcess = {
  name: 'notification',
  taskQueue: AGENTS.notification.taskQueue,
  setup: async (log, env) => {
    const selected = notifiersFromEnv(env);
    const notifier = fanOut(selected);
    log.info({ notifiers: selected.map((n) => n.name) }, 'notifiers selected');
    return {
      worker: { activities: createNotificationActivities({ notifier, log }) },
      agent: agentFace('notification', [notificationSkill(notifier)], selected.map((n) => `notifier:${n.name}`)),
    };
  },
};
