import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Notice } from '../notice';
import type { Delivery, Notifier, NotifierPlugin } from '../notifier';
import { checkButtonKey } from '../../../lib/trust/button-token';
import type { ApprovalButtons } from './chat-buttons';
import { CHAT_FLAVORS, mattermostAttachments, slackBlocks } from './chat-buttons';

/**
 * Posts `{text, username}`, which Mattermost and Slack incoming webhooks both accept. With the
 * approvals service configured, every escalation also carries Approve/Reject buttons in the
 * platform's own form (Mattermost attachments with actions, Slack blocks). Every post carries the
 * notice's delivery key as `Idempotency-Key` and `props.notice_id`, so a receiver (or a relay in
 * front of a chat that cannot deduplicate) can drop the repeat a retried delivery sends.
 */
/** The key comes from the caller's message id: anything but a short printable token is sent as its digest, never raw into a header. */
export function headerSafeKey(key: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(key) ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export function webhookNotifier(opts: { url: string; username?: string; timeoutMs?: number; approvals?: ApprovalButtons }): Notifier {
  const target = new URL(opts.url);
  return {
    name: 'webhook',
    async send(notice: Notice, text: string, deliveryKey: string): Promise<Delivery> {
      const key = headerSafeKey(deliveryKey);
      const buttons = notice.kind === 'escalation' ? opts.approvals : undefined;
      const payload = {
        text,
        username: opts.username ?? 'vigil',
        props: { incident_id: notice.incidentId, trace_id: notice.traceId, notice_id: key },
        ...(buttons?.flavor === 'mattermost' ? { attachments: mattermostAttachments(notice, buttons) } : {}),
        ...(buttons?.flavor === 'slack' ? { blocks: slackBlocks(notice, text, buttons) } : {}),
      };
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`webhook ${target.host} answered ${res.status}`);
      return { channel: `webhook:${target.host}`, delivered: true, detail: `HTTP ${res.status}${buttons ? `, ${buttons.flavor} buttons` : ''}` };
    },
  };
}

export const WebhookConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'VIGIL_WEBHOOK_URL must be an http(s) URL' }),
    username: z.string().min(1).max(64).optional(),
    /** Which buttons escalations carry: Mattermost attachments or Slack blocks (VIGIL_WEBHOOK_FLAVOR). */
    flavor: z.enum(CHAT_FLAVORS).default('mattermost'),
    /** The approvals service's public URL (VIGIL_APPROVALS_URL); with the key, escalations carry Approve/Reject buttons. */
    approvalsUrl: z.url({ protocol: /^https?$/, error: 'VIGIL_APPROVALS_URL must be an http(s) URL' }).optional(),
    /** The HMAC key shared with the approvals service (VIGIL_APPROVALS_BUTTON_KEY_FILE, at least 32 bytes). */
    approvalsButtonKeyFile: z.string().min(1).optional(),
  })
  .refine((c) => (c.approvalsUrl === undefined) === (c.approvalsButtonKeyFile === undefined), {
    message: 'chat buttons need both VIGIL_APPROVALS_URL and VIGIL_APPROVALS_BUTTON_KEY_FILE',
  });

function readButtonKey(path: string): Buffer {
  try {
    return checkButtonKey(readFileSync(path));
  } catch (err) {
    throw new Error(`VIGIL_APPROVALS_BUTTON_KEY_FILE ${path}: ${(err as Error).message}`);
  }
}

export const webhookNotifierPlugin: NotifierPlugin<z.infer<typeof WebhookConfigSchema>> = {
  name: 'webhook',
  description: 'Posts each notice to a Mattermost- or Slack-compatible incoming webhook (VIGIL_WEBHOOK_URL); escalations carry approval buttons when the approvals service is configured.',
  config: WebhookConfigSchema,
  configFromEnv: (env) => ({
    url: env.VIGIL_WEBHOOK_URL,
    ...(env.VIGIL_WEBHOOK_USERNAME ? { username: env.VIGIL_WEBHOOK_USERNAME } : {}),
    ...(env.VIGIL_WEBHOOK_FLAVOR ? { flavor: env.VIGIL_WEBHOOK_FLAVOR } : {}),
    ...(env.VIGIL_APPROVALS_URL ? { approvalsUrl: env.VIGIL_APPROVALS_URL } : {}),
    ...(env.VIGIL_APPROVALS_BUTTON_KEY_FILE ? { approvalsButtonKeyFile: env.VIGIL_APPROVALS_BUTTON_KEY_FILE } : {}),
  }),
  init: (config) =>
    webhookNotifier({
      url: config.url,
      username: config.username,
      approvals: config.approvalsUrl && config.approvalsButtonKeyFile ? { url: config.approvalsUrl, flavor: config.flavor, key: readButtonKey(config.approvalsButtonKeyFile) } : undefined,
    }),
};
