import { z } from 'zod';
import { createRemediationActivities, remediationSkill } from '../activities/remediation';
import { enabledRegistry } from '../activities/remediation/registry';
import { ActionResultSchema, TASK_QUEUES } from '../contracts';
import { verifierFromFile } from '../lib/trust/signing';
import { main } from './run-worker';

main({
  name: 'remediation',
  taskQueue: TASK_QUEUES.remediation,
  setup: async (log, env) => {
    // Dry-run unless explicitly turned off: executing against a cluster needs a Kubernetes API client.
    const dryRun = (env.VIGIL_DRY_RUN ?? 'true') !== 'false';
    log.info({ dryRun, actionners: env.VIGIL_ACTIONNERS || 'all' }, 'remediation mode');
    // Only the enabled actionners exist here, matching the Role the chart generates for them.
    const registry = enabledRegistry(env.VIGIL_ACTIONNERS);
    // Nothing runs without a verdict the review agent signed: no key, no worker.
    const verdictKeyFile = env.VIGIL_VERDICT_PUBLIC_KEY_FILE;
    if (!verdictKeyFile) throw new Error('VIGIL_VERDICT_PUBLIC_KEY_FILE is required: remediation executes only actions carried by a verdict the review agent signed');
    const verdicts = verifierFromFile(verdictKeyFile, 'verdict public key');
    log.info({ verdictKeyIds: verdicts.keyIds }, 'executing only actions of verdicts signed by these keys');
    const deps = { registry, dryRun, log, verdicts };
    return {
      worker: { activities: createRemediationActivities(deps) },
      agent: {
        name: 'remediation',
        description: 'Vigil remediation agent: runs policy-allowed response actions through registered actionners (idempotent per incident, dry-run aware).',
        skills: [{ ...remediationSkill(deps), output: z.array(ActionResultSchema) }],
        // Each actionner is a grant backed by RBAC: least agency compares these with the ones that ran.
        tools: registry.list().map((a) => `actionner:${a.name}`),
      },
    };
  },
});
