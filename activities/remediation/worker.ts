import { z } from 'zod';
import { ActionResultSchema, AGENTS } from '../../contracts';
import type { WorkerProcess } from '../../lib/worker-process';
import { agentFace } from '../../lib/worker-process';
import { createRemediationActivities, remediationSkill } from '.';
import { remediationMode } from './acting-mode';
import { enabledRegistry } from './registry';

export const remediationWorker: WorkerProcess = {
  name: 'remediation',
  taskQueue: AGENTS.remediation.taskQueue,
  setup: async (log, env) => {
    const mode = remediationMode(env);
    log.info({ dryRun: mode.dryRun, actionners: env.VIGIL_ACTIONNERS || 'all' }, 'remediation mode');
    // Only the enabled actionners exist here, matching the Role the chart generates for them.
    const registry = enabledRegistry(env.VIGIL_ACTIONNERS);
    const deps = { registry, ...mode, log };
    return {
      worker: { activities: createRemediationActivities(deps) },
      // Each actionner is a grant backed by RBAC: least agency compares these with the ones that ran.
      agent: agentFace('remediation', [{ ...remediationSkill(deps), output: z.array(ActionResultSchema) }], registry.list().map((a) => `actionner:${a.name}`)),
    };
  },
};
