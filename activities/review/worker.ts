import { z } from 'zod';
import { AGENTS, VerdictSchema } from '../../contracts';
import { exportStepMutationRate } from '../../lib/metrics-compliance';
import { fromRoot } from '../../lib/paths';
import { decisionTrustConfigFromEnv, trustedIssuers } from '../../lib/trust/decision-keys';
import { signerFromFile, verifierFromFile } from '../../lib/trust/signing';
import type { WorkerProcess } from '../../lib/worker-process';
import { agentFace } from '../../lib/worker-process';
import { authoritySkill, createReviewActivities, reviewSkill } from '.';
import { reviewMetrics } from './metrics';
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
    // The review families (flagged actions at 0 by disposition) and the rate built from them, on /metrics from start.
    reviewMetrics();
    exportStepMutationRate();
    // Remediation runs only what this key signed: without it the agent must not start.
    const signingKeyFile = env.VIGIL_VERDICT_SIGNING_KEY_FILE;
    if (!signingKeyFile) throw new Error('VIGIL_VERDICT_SIGNING_KEY_FILE is required: remediation executes only verdicts this agent signs');
    const signer = signerFromFile(signingKeyFile, 'verdict signing key');
    const gateKeyFile = env.VIGIL_GATE_PUBLIC_KEY_FILE;
    const trust = { signer, gate: gateKeyFile ? verifierFromFile(gateKeyFile, 'gate public key') : null };
    if (trust.gate) log.info({ verdictKeyId: signer.keyId, gateKeyIds: trust.gate.keyIds }, 'signing verdicts; trusting anomalies the gate signed');
    else log.warn({ verdictKeyId: signer.keyId }, 'VIGIL_GATE_PUBLIC_KEY_FILE not set: no incident can be verified as opened by the gate, so every one escalates and none auto-executes');
    const decisionTrust = decisionTrustConfigFromEnv(env);
    const issuers = trustedIssuers(decisionTrust);
    // Without a trusted issuer every signed decision is refused: say so at start, not at the first escalation.
    if (issuers.length === 0) log.warn('no decision issuer configured: every analyst decision will be refused');
    log.info({ oidcIssuer: decisionTrust.oidc?.issuer ?? null, localJwksFile: decisionTrust.localJwksFile }, 'analyst decisions: trusted issuers');
    return {
      worker: { activities: createReviewActivities({ policy, log, trust, issuers }) },
      agent: agentFace('review', [{ ...reviewSkill(policy, trust), output: VerdictSchema }, authoritySkill(policy, issuers)], []),
    };
  },
};
