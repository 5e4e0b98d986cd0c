import { createNotificationActivities, notificationSkill } from '../activities/notification';
import { consoleNotifier } from '../activities/notification/notifiers/console';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ApprovalButtons } from '../activities/notification/notifiers/chat-buttons';
import { CHAT_FLAVORS } from '../activities/notification/notifiers/chat-buttons';
import { webhookNotifier } from '../activities/notification/notifiers/webhook';
import { checkButtonKey } from '../lib/trust/button-token';
import { TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

/** Chat buttons need the approvals service's URL and the key it checks their tokens with; either both or neither. */
function approvalButtons(env: NodeJS.ProcessEnv): ApprovalButtons | undefined {
  const url = env.VIGIL_APPROVALS_URL;
  const keyFile = env.VIGIL_APPROVALS_BUTTON_KEY_FILE;
  if (!url && !keyFile) return undefined;
  if (!url || !keyFile) throw new Error('chat buttons need both VIGIL_APPROVALS_URL and VIGIL_APPROVALS_BUTTON_KEY_FILE');
  return {
    url: z.url().parse(url),
    flavor: z.enum(CHAT_FLAVORS).default('mattermost').parse(env.VIGIL_WEBHOOK_FLAVOR || undefined),
    key: checkButtonKey(readFileSync(keyFile)),
  };
}

main({
  name: 'notification',
  taskQueue: TASK_QUEUES.notification,
  setup: async (log, env) => {
    const url = env.VIGIL_WEBHOOK_URL;
    const approvals = approvalButtons(env);
    if (approvals && !url) throw new Error('VIGIL_APPROVALS_URL is set but there is no VIGIL_WEBHOOK_URL to post the buttons to');
    const notifier = url ? webhookNotifier({ url, approvals }) : consoleNotifier();
    log.info({ notifier: notifier.name, approvals: approvals ? { url: approvals.url, flavor: approvals.flavor } : null }, 'notifier selected');
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
