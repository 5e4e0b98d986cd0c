import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { register } from 'prom-client';
import type { Notifier } from '../../activities/notification/notifier';
import { TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { stateQuery } from '../../workflows/definitions';
import { incidentWorkflow } from '../../workflows/incident';
import { anomalyOf, evidentAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { timeSkippingEnv } from '../helpers/time-skipping';

/** A webhook that never answers: the notice is retried within its budget, then recorded and counted, and the incident still closes. */
describe('undeliverable notification', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('retries, records delivered: false in the outcome, counts vigil_notifications_undelivered_total, and completes the incident', async () => {
    let attempts = 0;
    const notifier: Notifier = {
      name: 'down',
      send: async () => {
        attempts += 1;
        throw new Error('webhook 127.0.0.1 answered 500');
      },
    };
    const undelivered = async () => (await register.getSingleMetric('vigil_notifications_undelivered_total')?.get())?.values.find((v) => v.labels.kind === 'resolution')?.value ?? 0;
    const before = await undelivered();
    const anomaly = anomalyOf(evidentAlert());
    const workflowId = incidentIdFor(anomaly);
    const workers = await inProcessAgents(env.nativeConnection, { notifier });
    const { result, state } = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId, args: [anomaly] });
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery) };
    });
    expect(result).toMatchObject({ resolution: 'executed', verdict: 'auto_execute' });
    expect(state.notifications).toEqual([expect.objectContaining({ kind: 'resolution', delivered: false })]);
    expect(attempts).toBe(8); // the notification agent's whole retry budget (workflows/incident/options.ts)
    expect((await undelivered()) - before).toBe(1);
  });
});
