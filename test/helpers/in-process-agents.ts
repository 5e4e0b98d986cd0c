import { join } from 'node:path';
import type { NativeConnection } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { createAnalysisActivities } from '../../activities/analysis';
import { createNotificationActivities } from '../../activities/notification';
import type { Notifier } from '../../activities/notification/notifier';
import { createRemediationActivities } from '../../activities/remediation';
import type { RemediationDeps } from '../../activities/remediation';
import { defaultRegistry } from '../../activities/remediation/registry';
import { createReviewActivities } from '../../activities/review';
import { PolicyHolder } from '../../activities/review/policy-holder';
import { TASK_QUEUES } from '../../contracts';
import { createLogger } from '../../lib/logger';
import type { TrustedIssuer } from '../../lib/trust/decision-token';
import { workflowWorkerOptions } from '../../workers/coordinator/workflow-setup';
import { ROOT } from './fixtures';
import { freshKeys, testGateVerifier } from './trust';

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

export interface InProcessOptions {
  notifier?: Notifier;
  /** Remediation's registry and mode (default: every actionner, dry run); the verdict key is the test's own. */
  remediation?: Omit<RemediationDeps, 'verdicts'>;
  /** Who may sign decisions (none: every decision is refused). */
  issuers?: TrustedIssuer[];
  /** Replaces an agent's real activities, e.g. with one that raises, to prove the workflow survives it. */
  activities?: Partial<Record<'analysis' | 'review', (real: Activities) => Activities>>;
}

/**
 * The coordinator and the four agents as in-process workers on their own task queues, with the
 * real activities and the real wasm policy: for workflow tests on the time-skipping server.
 */
export async function inProcessAgents(connection: NativeConnection, opts: InProcessOptions = {}): Promise<Worker[]> {
  const log = createLogger('test', 'silent');
  const policy = new PolicyHolder(join(ROOT, 'policies', 'build'), log);
  if (!(await policy.reload())) throw new Error('policy bundle missing: run npm run policy:build');
  const verdictKeys = freshKeys('verdict');
  const sent: string[] = [];
  const notifier: Notifier = opts.notifier ?? { name: 'memory', send: async (_n, text) => (sent.push(text), { channel: 'memory', delivered: true, detail: '' }) };
  const wrap = (real: Activities, replace: ((real: Activities) => Activities) | undefined) => (replace ? replace(real) : real);
  return Promise.all([
    Worker.create({ connection, taskQueue: TASK_QUEUES.coordinator, ...workflowWorkerOptions(log) }),
    Worker.create({ connection, taskQueue: TASK_QUEUES.analysis, activities: wrap(createAnalysisActivities({ log }), opts.activities?.analysis) }),
    Worker.create({
      connection,
      taskQueue: TASK_QUEUES.review,
      activities: wrap(createReviewActivities({ policy, log, trust: { signer: verdictKeys.signer, gate: testGateVerifier() }, issuers: opts.issuers ?? [] }), opts.activities?.review),
    }),
    Worker.create({ connection, taskQueue: TASK_QUEUES.remediation, activities: createRemediationActivities({ verdicts: verdictKeys.verifier, ...(opts.remediation ?? { registry: defaultRegistry(), dryRun: true, log }) }) }),
    Worker.create({ connection, taskQueue: TASK_QUEUES.notification, activities: createNotificationActivities({ notifier, log }) }),
  ]);
}

/** Runs every worker until `fn` settles, then shuts them all down. */
export async function withWorkers<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  const running = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
  }
}
