import { proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities, BaselineInput, BaselineMessage } from './shape';
import { BASELINE_QUEUES } from './shape';

// The same activity budgets as the incident workflow's agents; nothing else.
const analysis = proxyActivities<BaselineActivities>({ taskQueue: BASELINE_QUEUES.analysis, startToCloseTimeout: '2 minutes' });
const review = proxyActivities<BaselineActivities>({ taskQueue: BASELINE_QUEUES.review, startToCloseTimeout: '30 seconds' });
const remediation = proxyActivities<BaselineActivities>({ taskQueue: BASELINE_QUEUES.remediation, startToCloseTimeout: '1 minute' });
const notification = proxyActivities<BaselineActivities>({ taskQueue: BASELINE_QUEUES.notification, startToCloseTimeout: '30 seconds' });

/** Vigil's shape with Vigil's code removed: four activities in sequence on four queues. */
export async function baselineWorkflow(input: BaselineInput): Promise<string> {
  const analysed: BaselineMessage = await analysis.analyse({ body: input.body });
  const reviewed = await review.review(analysed);
  const remediated = await remediation.remediate(reviewed);
  await notification.notify(remediated);
  return 'done';
}
