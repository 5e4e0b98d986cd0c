import type { Notice } from './notice';

export interface Delivery {
  channel: string;
  delivered: boolean;
  detail: string;
}

/** One way of telling people; a notifier that fails throws so the activity retries it. */
export interface Notifier {
  name: string;
  send(notice: Notice, text: string): Promise<Delivery>;
}
