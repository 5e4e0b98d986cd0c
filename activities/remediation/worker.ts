import { z } from 'zod';
import { ActionResultSchema, AGENTS } from '../../contracts';
import type { WorkerProcess } from '../../lib/worker-process';
import { verifierFromFile } from '../../lib/trust/signing';
import { agentFace } from '../../lib/worker-process';
import { createRemediationActivities, remediationSkill } from '.';
import { connectKube, guardsReader, remediationEnv } from './config';
import { enabledRegistry } from './registry';

export const remediationWorker: WorkerProcess = {
  name: 'remediation',
  taskQueue: AGENTS.remediation.taskQueue,
  setup: async (log, env) => {
    const cfg = remediationEnv(env);
    // Only the enabled actionners exist here, matching the Role the chart generates for them.
    const registry = enabledRegistry(cfg.actionners);
    // Nothing runs without a verdict the review agent signed: no key, no worker.
    const verdictKeyFile = env.VIGIL_VERDICT_PUBLIC_KEY_FILE;
    if (!verdictKeyFile) throw new Error('VIGIL_VERDICT_PUBLIC_KEY_FILE is required: remediation executes only actions carried by a verdict the review agent signed');
    const verdicts = verifierFromFile(verdictKeyFile, 'verdict public key');
    log.info({ verdictKeyIds: verdicts.keyIds }, 'executing only actions of verdicts signed by these keys');
    // Acting mode refuses to start here without a reachable API server.
    const kube = await connectKube(env, cfg.dryRun, log);
    log.info({ dryRun: cfg.dryRun, serverDryRun: cfg.dryRun && kube !== null, actionners: cfg.actionners || 'all', evidenceDir: cfg.evidenceDir }, 'remediation mode');
    const deps = { registry, dryRun: cfg.dryRun, kube, guards: guardsReader(cfg.policyDir), evidenceDir: cfg.evidenceDir, writeIntervalMs: cfg.writeIntervalMs, log, verdicts };
    return {
      worker: { activities: createRemediationActivities(deps) },
      // Each actionner is a grant backed by RBAC: least agency compares these with the ones that ran.
      agent: agentFace('remediation', [{ ...remediationSkill(deps), output: z.array(ActionResultSchema) }], registry.list().map((a) => `actionner:${a.name}`)),
    };
  },
};
