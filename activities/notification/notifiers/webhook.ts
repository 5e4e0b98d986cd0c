import type { Notice } from '../notice';
import type { Delivery, Notifier } from '../notifier';
import type { ApprovalButtons } from './chat-buttons';
import { mattermostAttachments, slackBlocks } from './chat-buttons';

/**
 * Posts `{text, username}`, which Mattermost and Slack incoming webhooks both accept. With the
 * approvals service configured, every escalation also carries Approve/Reject buttons in the
 * platform's own form (Mattermost attachments with actions, Slack blocks).
 */
export function webhookNotifier(opts: { url: string; username?: string; timeoutMs?: number; approvals?: ApprovalButtons }): Notifier {
  const target = new URL(opts.url);
  return {
    name: 'webhook',
    async send(notice: Notice, text: string): Promise<Delivery> {
      const buttons = notice.kind === 'escalation' ? opts.approvals : undefined;
      const payload = {
        text,
        username: opts.username ?? 'vigil',
        props: { incident_id: notice.incidentId, trace_id: notice.traceId },
        ...(buttons?.flavor === 'mattermost' ? { attachments: mattermostAttachments(notice, buttons) } : {}),
        ...(buttons?.flavor === 'slack' ? { blocks: slackBlocks(notice, text, buttons) } : {}),
      };
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`webhook ${target.host} answered ${res.status}`);
      return { channel: `webhook:${target.host}`, delivered: true, detail: `HTTP ${res.status}${buttons ? `, ${buttons.flavor} buttons` : ''}` };
    },
  };
}
