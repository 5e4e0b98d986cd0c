import { createReviewActivities } from '../activities/review';
import { PolicyHolder } from '../activities/review/policy-holder';
import { TASK_QUEUES } from '../contracts';
import { fromRoot } from '../lib/paths';
import { main } from './run-worker';

main({
  name: 'review',
  taskQueue: TASK_QUEUES.review,
  options: async (log) => {
    const policy = new PolicyHolder(process.env.VIGIL_POLICY_DIR || fromRoot('policies', 'build'), log);
    // Refuse to start without a policy: a review agent with none would escalate everything.
    if (!(await policy.reload())) throw new Error('no loadable policy bundle: run `npm run policy:build` or set VIGIL_POLICY_DIR');
    policy.watch();
    return { activities: createReviewActivities({ policy, log }) };
  },
});
