import type { AgentMessage } from '../../contracts';
import { AGENTS } from '../../contracts';
import type { AgentSkill } from '../../lib/agent-core';
import { defineSkill, runSkill } from '../../lib/agent-core';
import type { Logger } from '../../lib/logger';
import { count } from '../../lib/metrics';
import { markUsed } from '../../lib/metrics-compliance';
import { notificationMetrics } from './metrics';
import type { Notice } from './notice';
import { NoticeSchema, renderNotice } from './notice';
import type { Delivery, Notifier } from './notifier';

const SKILL = AGENTS.notification.skills.notify;

export function notificationSkill(notifier: Notifier): AgentSkill<Notice, Delivery> {
  return defineSkill('notification', SKILL, {
    description: 'Tells people about an incident (escalations say exactly how to approve or reject).',
    input: NoticeSchema,
    handle: async (notice, ctx) => {
      const delivery = await notifier.send(notice, renderNotice(notice), ctx.messageId);
      ctx.log.info({ notice: { kind: notice.kind, channel: delivery.channel } }, 'notified');
      return delivery;
    },
    observe: (notice, delivery, traceId) => {
      count(notificationMetrics.notifications(), { labels: { kind: notice.kind, channel: delivery.channel, delivered: String(delivery.delivered) }, traceId });
      if (delivery.delivered) markUsed('notification', `notifier:${delivery.channel}`);
    },
  });
}

export function createNotificationActivities(deps: { notifier: Notifier; log: Logger }) {
  const skill = notificationSkill(deps.notifier);
  return {
    [SKILL.activity]: (message: AgentMessage<Notice>): Promise<AgentMessage<Delivery>> => runSkill(skill, message, deps.log),
  };
}
export type NotificationActivities = ReturnType<typeof createNotificationActivities>;
export type { Notice, Delivery };
