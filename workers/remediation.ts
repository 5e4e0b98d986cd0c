import { createRemediationActivities } from '../activities/remediation';
import { defaultRegistry } from '../activities/remediation/registry';
import { TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

main({
  name: 'remediation',
  taskQueue: TASK_QUEUES.remediation,
  options: async (log) => {
    // Dry-run unless explicitly turned off: executing against a cluster needs a Kubernetes API client.
    const dryRun = (process.env.VIGIL_DRY_RUN ?? 'true') !== 'false';
    log.info({ dryRun }, 'remediation mode');
    return { activities: createRemediationActivities({ registry: defaultRegistry(), dryRun, log }) };
  },
});
