/** One task queue per agent, so each agent is its own worker process and Deployment. */
export const TASK_QUEUES = {
  coordinator: 'vigil-coordinator',
  analysis: 'vigil-analysis',
  review: 'vigil-review',
  remediation: 'vigil-remediation',
  notification: 'vigil-notification',
} as const;
export type AgentName = Exclude<keyof typeof TASK_QUEUES, 'coordinator'>;
export const AGENT_NAMES: readonly AgentName[] = ['analysis', 'review', 'remediation', 'notification'];

/** Failure types the workflow must not retry: retrying cannot fix them. */
export const FAILURE_TYPES = {
  invalidInput: 'VigilInvalidInput',
  policyDenied: 'VigilPolicyDenied',
  unknownActionner: 'VigilUnknownActionner',
} as const;
