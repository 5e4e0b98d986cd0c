import type { Notice } from '../notice';
import type { Delivery, Notifier } from '../notifier';

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
