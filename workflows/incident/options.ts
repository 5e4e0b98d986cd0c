import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import type { AgentName } from '../../contracts';
import { FAILURE_TYPES, TASK_QUEUES } from '../../contracts';

/** What every agent call shares: exponential backoff, and no retry of what retrying cannot fix. */
const RETRY_BASE = {
  backoffCoefficient: 2,
  maximumAttempts: 5,
  nonRetryableErrorTypes: [FAILURE_TYPES.invalidInput, FAILURE_TYPES.policyDenied, FAILURE_TYPES.unknownActionner],
} satisfies RetryPolicy;

function agentOptions(agent: AgentName, startToCloseTimeout: string, retry: RetryPolicy): ActivityOptions {
  return { taskQueue: TASK_QUEUES[agent], startToCloseTimeout, retry: { ...RETRY_BASE, ...retry } };
}

/** Per-agent budgets: analysis may call an LLM; review is in-process wasm; notification chases flaky webhooks. */
export const AGENT_OPTIONS = {
  analysis: agentOptions('analysis', '2 minutes', { initialInterval: '2s', maximumInterval: '30s' }),
  // The deterministic path after a failed analysis: no LLM, so short, and few tries before the incident escalates without it.
  analysisFallback: agentOptions('analysis', '30 seconds', { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3 }),
  review: agentOptions('review', '30 seconds', { initialInterval: '1s', maximumInterval: '10s' }),
  // The activity heartbeats before each action: a worker killed mid-containment is retried within 20 s.
  // Eight attempts (~3 min of backoff): an API server restarting (a control-plane upgrade) is waited
  // out, not paged as failed containment (bench/faults.ts, kube-api-down); past that it pages.
  remediation: { ...agentOptions('remediation', '1 minute', { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 8 }), heartbeatTimeout: '20 seconds' },
  notification: agentOptions('notification', '30 seconds', { initialInterval: '2s', maximumInterval: '1 minute', maximumAttempts: 8 }),
} satisfies Record<AgentName | 'analysisFallback', ActivityOptions>;
