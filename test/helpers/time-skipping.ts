import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Notifier } from '../../activities/notification/notifier';
import { registerSearchAttributes } from '../../lib/search-attributes';
import { testServerPath } from './tools';

/** Temporal's time-skipping test server (the installed binary) with Vigil's search attributes registered. */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServerPath() } } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A notifier that records `<incident>:<kind>` for each notice, for asserting who was told what. */
export function recordingNotifier(into: string[]): Notifier {
  return { name: 'memory', send: async (n) => (into.push(`${n.incidentId}:${n.kind}`), { channel: 'memory', delivered: true, detail: '' }) };
}
