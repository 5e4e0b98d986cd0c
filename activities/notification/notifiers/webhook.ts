import { z } from 'zod';
import type { Notice } from '../notice';
import type { Delivery, Notifier, NotifierPlugin } from '../notifier';

/** Posts `{text, username}`, which Mattermost and Slack incoming webhooks both accept. */
export function webhookNotifier(opts: { url: string; username?: string; timeoutMs?: number }): Notifier {
  const target = new URL(opts.url);
  return {
    name: 'webhook',
    async send(notice: Notice, text: string): Promise<Delivery> {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text, username: opts.username ?? 'vigil', props: { incident_id: notice.incidentId, trace_id: notice.traceId } }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw new Error(`webhook ${target.host} answered ${res.status}`);
      return { channel: `webhook:${target.host}`, delivered: true, detail: `HTTP ${res.status}` };
    },
  };
}

export const WebhookConfigSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'VIGIL_WEBHOOK_URL must be an http(s) URL' }),
  username: z.string().min(1).max(64).optional(),
});

export const webhookNotifierPlugin: NotifierPlugin<z.infer<typeof WebhookConfigSchema>> = {
  name: 'webhook',
  description: 'Posts each notice to a Mattermost- or Slack-compatible incoming webhook (VIGIL_WEBHOOK_URL).',
  config: WebhookConfigSchema,
  configFromEnv: (env) => ({ url: env.VIGIL_WEBHOOK_URL, ...(env.VIGIL_WEBHOOK_USERNAME ? { username: env.VIGIL_WEBHOOK_USERNAME } : {}) }),
  init: (config) => webhookNotifier(config),
};
