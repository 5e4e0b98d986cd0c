import { existsSync } from 'node:fs';
import { TASK_QUEUES } from '../contracts';
import { fromRoot } from '../lib/paths';
import { main } from './run-worker';

main({
  name: 'coordinator',
  taskQueue: TASK_QUEUES.coordinator,
  options: async (log) => {
    // A bundle prebuilt by `npm run build` starts in a second; bundling at start takes ~10 s on 2 cores.
    const bundle = fromRoot('dist', 'workflow-bundle.js');
    if (existsSync(bundle)) {
      log.info({ bundle }, 'using prebuilt workflow bundle');
      return { workflowBundle: { codePath: bundle } };
    }
    return { workflowsPath: require.resolve('../workflows') };
  },
});
