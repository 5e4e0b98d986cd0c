import { z } from 'zod';
import { AGENTS, VerdictSchema } from '../../contracts';
import { exportStepMutationRate } from '../../lib/metrics-compliance';
import { fromRoot } from '../../lib/paths';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../lib/trust/decision-keys';
import type { WorkerProcess } from '../../lib/worker-process';
import { agentFace } from '../../lib/worker-process';
import { authoritySkill, createReviewActivities, reviewSkill } from '.';
import { PolicyHolder } from './policy-holder';

export const reviewWorker: WorkerProcess = {
  name: 'review',
  taskQueue: AGENTS.review.taskQueue,
  setup: async (log, env) => {
    const timeoutMs = z.coerce.number().int().positive().default(2000).parse(env.VIGIL_POLICY_TIMEOUT_MS || undefined);
    const policy = new PolicyHolder(env.VIGIL_POLICY_DIR || fromRoot('policies', 'build'), log, { timeoutMs });
    // Refuse to start without a policy: a review agent with none would escalate everything.
    if (!(await policy.reload())) throw new Error('no loadable policy bundle: run `npm run policy:build` or set VIGIL_POLICY_DIR');
    policy.watch();
    exportStepMutationRate();
    const trust = decisionTrustConfigFromEnv(env);
    const issuers = trustedIssuers(trust);
    // Without a trusted issuer every signed decision is refused: say so at start, not at the first escalation.
    if (issuers.length === 0) log.warn('no decision issuer configured: every analyst decision will be refused');
    log.info({ oidcIssuer: trust.oidc?.issuer ?? null, localJwksFile: trust.localJwksFile }, 'analyst decisions: trusted issuers');
    return {
      worker: { activities: createReviewActivities({ policy, issuers, log }) },
      agent: agentFace('review', [{ ...reviewSkill(policy), output: VerdictSchema }, authoritySkill(policy, issuers)], []),
    };
  },
};
