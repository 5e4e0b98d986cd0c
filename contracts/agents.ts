/**
 * The agent table: the one source of each agent's name, task queue and skills (the A2A skill id
 * and the Temporal activity that runs it). Activity objects, the coordinator's observer, the
 * audit, metric labels, the demo's process list and the chart's component lists all derive from
 * it or are checked against it (test/unit/chart/chart-files.test.ts).
 */
export const AGENTS = {
  analysis: {
    description: 'Vigil threat-analysis agent: turns a Falco anomaly into a typed analysis with proposed, policy-reviewed actions.',
    taskQueue: 'vigil-analysis',
    skills: { analyse: { skill: 'analyse', activity: 'analyse' } },
  },
  review: {
    description: 'Vigil review agent: deterministic policy verdicts (Rego compiled to wasm) on analyses, and analyst authority checks.',
    taskQueue: 'vigil-review',
    skills: {
      review: { skill: 'review', activity: 'review' },
      authorizeDecision: { skill: 'authorize-decision', activity: 'authorizeDecision' },
    },
  },
  remediation: {
    description: 'Vigil remediation agent: runs policy-allowed response actions through registered actionners (idempotent per incident, dry-run aware).',
    taskQueue: 'vigil-remediation',
    skills: { remediate: { skill: 'remediate', activity: 'remediate' } },
  },
  notification: {
    description: 'Vigil notification agent: tells people about an incident; escalations say exactly how to approve or reject.',
    taskQueue: 'vigil-notification',
    skills: { notify: { skill: 'notify', activity: 'notify' } },
  },
} as const;

export type AgentName = keyof typeof AGENTS;
/** One skill of one agent, as the table names it. */
export type SkillRef = { [A in AgentName]: (typeof AGENTS)[A]['skills'][keyof (typeof AGENTS)[A]['skills']] }[AgentName];
export type SkillId = SkillRef['skill'];

/** The coordinator runs the incident workflow; it is a worker but not an agent. */
export const COORDINATOR = { name: 'coordinator', taskQueue: 'vigil-coordinator' } as const;

export const AGENT_NAMES = ['analysis', 'review', 'remediation', 'notification'] as const satisfies readonly AgentName[];

/** Every Temporal worker process, in start order (the chart's `vigil.components` adds the gate). */
export const WORKER_NAMES = [COORDINATOR.name, ...AGENT_NAMES] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

/** Every process the chart deploys, in start order. */
export const COMPONENT_NAMES = [...WORKER_NAMES, 'gate'] as const;

/** One task queue per worker, so each agent is its own worker process and Deployment. */
export const TASK_QUEUES = {
  coordinator: COORDINATOR.taskQueue,
  analysis: AGENTS.analysis.taskQueue,
  review: AGENTS.review.taskQueue,
  remediation: AGENTS.remediation.taskQueue,
  notification: AGENTS.notification.taskQueue,
} as const satisfies Record<WorkerName, string>;
