import type { z } from 'zod';
import { formatIssues } from '../../contracts';
import type { Notice } from './notice';

export interface Delivery {
  channel: string;
  delivered: boolean;
  detail: string;
}

/** One way of telling people; a notifier that fails throws so the activity retries it. */
export interface Notifier {
  name: string;
  /**
   * `deliveryKey` is the same on every retry of one notice and differs between notices: delivery
   * is at least once (a worker killed after the receiver answered but before Temporal recorded it
   * sends again), so a notifier that can passes the key on for the receiver to drop a repeat.
   */
  send(notice: Notice, text: string, deliveryKey: string): Promise<Delivery>;
}

/**
 * A notifier as a plugin, like an actionner: it names and describes itself, declares its config
 * as a schema (checked at start-up, before any notice), and builds the notifier from it.
 */
export interface NotifierPlugin<C = unknown> {
  name: string;
  description: string;
  config: z.ZodType<C>;
  /** The raw config this plugin reads from the worker's environment; the schema judges it. */
  configFromEnv(env: NodeJS.ProcessEnv): unknown;
  init(config: C): Notifier;
}

/** A plugin with its config type sealed in: what the registry lists. */
export interface RegisteredNotifier {
  name: string;
  description: string;
  /** The config schema (the chart's values schema for this notifier is derived from it). */
  config: z.ZodType;
  /** Builds the notifier from the environment, or throws naming the bad setting. */
  fromEnv(env: NodeJS.ProcessEnv): Notifier;
}

export function registerNotifier<C>(plugin: NotifierPlugin<C>): RegisteredNotifier {
  return {
    name: plugin.name,
    description: plugin.description,
    config: plugin.config,
    fromEnv(env) {
      const config = plugin.config.safeParse(plugin.configFromEnv(env));
      if (!config.success) throw new Error(`notifier ${plugin.name}: invalid configuration: ${formatIssues(config.error)}`);
      return plugin.init(config.data);
    },
  };
}
