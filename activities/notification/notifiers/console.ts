import { z } from 'zod';
import type { Notice } from '../notice';
import type { Delivery, Notifier, NotifierPlugin } from '../notifier';

/** The default when no webhook is configured: the message goes to this worker's stdout. */
export function consoleNotifier(write: (s: string) => void = (s) => process.stdout.write(s)): Notifier {
  return {
    name: 'console',
    async send(_notice: Notice, text: string): Promise<Delivery> {
      write(`\n${text}\n`);
      return { channel: 'console', delivered: true, detail: 'written to stdout' };
    },
  };
}

export const consoleNotifierPlugin: NotifierPlugin<Record<string, never>> = {
  name: 'console',
  description: "Writes each notice to the notification worker's stdout (the pod log).",
  config: z.object({}).strict(),
  configFromEnv: () => ({}),
  init: () => consoleNotifier(),
};
