import type { AgentMessage } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import type { Notice } from './notice';
import { NoticeSchema, renderNotice } from './notice';
import type { Delivery, Notifier } from './notifier';

export function notificationSkill(notifier: Notifier): AgentSkill<Notice, Delivery> {
  return {
    agent: 'notification',
    skill: 'notify',
    description: 'Tells people about an incident (escalations say exactly how to approve or reject).',
    input: NoticeSchema,
    handle: async (notice, ctx) => {
      const delivery = await notifier.send(notice, renderNotice(notice));
      ctx.log.info({ notice: { kind: notice.kind, channel: delivery.channel } }, 'notified');
      return delivery;
    },
  };
}

export function createNotificationActivities(deps: { notifier: Notifier; log: Logger }) {
  const skill = notificationSkill(deps.notifier);
  return {
    async notify(message: AgentMessage<Notice>): Promise<AgentMessage<Delivery>> {
      return runSkill(skill, message, deps.log);
    },
  };
}
export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
export type { Notice, Delivery };
