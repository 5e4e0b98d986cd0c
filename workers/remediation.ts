import { z } from 'zod';
import { createRemediationActivities, remediationSkill } from '../activities/remediation';
import { connectKube, guardsReader, remediationEnv } from '../activities/remediation/config';
import { enabledRegistry } from '../activities/remediation/registry';
import { ActionResultSchema, TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

main({
  name: 'remediation',
  taskQueue: TASK_QUEUES.remediation,
  setup: async (log, env) => {
    const cfg = remediationEnv(env);
    // Only the enabled actionners exist here, matching the Role the chart generates for them.
    const registry = enabledRegistry(cfg.actionners);
    const kube = await connectKube(env, cfg.dryRun, log);
    log.info({ dryRun: cfg.dryRun, serverDryRun: cfg.dryRun && kube !== null, actionners: cfg.actionners || 'all', evidenceDir: cfg.evidenceDir }, 'remediation mode');
    const deps = { registry, dryRun: cfg.dryRun, kube, guards: guardsReader(cfg.policyDir), evidenceDir: cfg.evidenceDir, writeIntervalMs: cfg.writeIntervalMs, log };
    return {
      worker: { activities: createRemediationActivities(deps) },
      agent: {
        name: 'remediation',
        description: 'Vigil remediation agent: runs policy-allowed response actions through registered actionners (pre-flight against the live pod, exactly once per incident and action, reversible).',
        skills: [{ ...remediationSkill(deps), output: z.array(ActionResultSchema) }],
        // Each actionner is a grant backed by RBAC: least agency compares these with the ones that ran.
        tools: registry.list().map((a) => `actionner:${a.name}`),
      },
    };
  },
});
