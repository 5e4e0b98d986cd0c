import { existsSync } from 'node:fs';
import { TASK_QUEUES } from '../contracts';
import { exportFiveSignalCoverage } from '../lib/metrics-compliance';
import { fromRoot } from '../lib/paths';
import { incidentObserverSinks } from './incident-observer-sinks';
import { main } from './run-worker';

main({
  name: 'coordinator',
  taskQueue: TASK_QUEUES.coordinator,
  setup: async (log) => {
    exportFiveSignalCoverage();
    const sinks = incidentObserverSinks(log);
    // A bundle prebuilt by `npm run build` starts in a second; bundling at start takes ~10 s on 2 cores.
    const bundle = fromRoot('dist', 'workflow-bundle.js');
    if (existsSync(bundle)) {
      log.info({ bundle }, 'using prebuilt workflow bundle');
      return { worker: { workflowBundle: { codePath: bundle }, sinks } };
    }
    return {
      worker: { workflowsPath: require.resolve('../workflows'), sinks, interceptors: { workflowModules: [require.resolve('./incident-observer-interceptor')] } },
    };
  },
});
