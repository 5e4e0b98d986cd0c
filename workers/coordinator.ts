import { existsSync } from 'node:fs';
import { COORDINATOR } from '../contracts';
import { exportFiveSignalCoverage } from '../lib/metrics-compliance';
import { fromRoot } from '../lib/paths';
import { workflowWorkerOptions } from './coordinator/workflow-setup';
import { main } from './run-worker';

main({
  name: COORDINATOR.name,
  taskQueue: COORDINATOR.taskQueue,
  setup: async (log) => {
    exportFiveSignalCoverage();
    const { workflowsPath, ...shared } = workflowWorkerOptions(log);
    // A bundle prebuilt by `npm run build` starts in a second; bundling at start takes ~10 s on 2 cores.
    const bundle = fromRoot('dist', 'workflow-bundle.js');
    if (existsSync(bundle)) {
      log.info({ bundle }, 'using prebuilt workflow bundle');
      return { worker: { workflowBundle: { codePath: bundle }, sinks: shared.sinks } };
    }
    return { worker: { workflowsPath, ...shared } };
  },
});
