import { createAnalysisActivities } from '../activities/analysis';
import { TASK_QUEUES } from '../contracts';
import { main } from './run-worker';

main({
  name: 'analysis',
  taskQueue: TASK_QUEUES.analysis,
  options: async (log) => ({ activities: createAnalysisActivities({ log }) }),
});
