import type { Delivery, Notifier, RegisteredNotifier } from '../notifier';
import { registerNotifier } from '../notifier';
import { consoleNotifierPlugin } from './console';
import { webhookNotifierPlugin } from './webhook';

/** Every notifier Vigil ships: add a plugin file in this folder and one line here. */
export const NOTIFIERS: readonly RegisteredNotifier[] = [registerNotifier(consoleNotifierPlugin), registerNotifier(webhookNotifierPlugin)];

/** `VIGIL_NOTIFIERS` (comma-separated), else the webhook when one is configured, else the console. */
export function selectedNotifierNames(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.VIGIL_NOTIFIERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (listed.length > 0) return [...new Set(listed)];
  return [env.VIGIL_WEBHOOK_URL ? webhookNotifierPlugin.name : consoleNotifierPlugin.name];
}

/** Builds the selected notifiers, refusing to start on an unknown name or a bad config (with the reason). */
export function notifiersFromEnv(env: NodeJS.ProcessEnv, plugins: readonly RegisteredNotifier[] = NOTIFIERS): Notifier[] {
  return selectedNotifierNames(env).map((name) => {
    const plugin = plugins.find((p) => p.name === name);
    if (!plugin) throw new Error(`VIGIL_NOTIFIERS: unknown notifier "${name}"; known: ${plugins.map((p) => p.name).join(', ')}`);
    return plugin.fromEnv(env);
  });
}

/**
 * One notice to every selected notifier. It fails (and the activity retries) only when none
 * delivered, so a working channel is not spammed by retries of a broken one; a partial delivery
 * says which failed.
 */
export function fanOut(notifiers: readonly Notifier[]): Notifier {
  const [only] = notifiers;
  if (notifiers.length === 1 && only) return only;
  return {
    name: notifiers.map((n) => n.name).join('+'),
    async send(notice, text, deliveryKey): Promise<Delivery> {
      const results = await Promise.allSettled(notifiers.map((n) => n.send(notice, text, deliveryKey)));
      const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${notifiers[i]?.name}: ${String(r.reason)}`] : []));
      if (done.length === 0) throw new Error(`no notifier delivered: ${failed.join('; ')}`);
      return { channel: done.map((d) => d.channel).join(','), delivered: failed.length === 0, detail: [...done.map((d) => d.detail), ...failed].join('; ') };
    },
  };
}
