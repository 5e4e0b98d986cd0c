import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import { TASK_QUEUES } from '../../contracts';
import { incidentIdFor } from '../../lib/identity';
import { openOrJoinIncident } from '../../lib/incidents';
import { incidentWorkflow } from '../../workflows/incident';
import { anomalyOf, evidentAlert } from '../helpers/fixtures';
import { inProcessAgents, withWorkers } from '../helpers/in-process-agents';
import { recordingNotifier, timeSkippingEnv } from '../helpers/time-skipping';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const upserted = (events: HistoryEvent[]) =>
  events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).sort());

/** Search attributes cost a history event and a visibility write per upsert: one per step, only what changed. */
describe('incident workflow: search attributes', () => {
  let env: TestWorkflowEnvironment;
  const notices: string[] = [];
  beforeAll(async () => {
    env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const autoExecuted = () => anomalyOf(evidentAlert());

  it('opened by the gate: nothing the start set is sent again, and each later step is one upsert', async () => {
    const anomaly = autoExecuted();
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(notices) });
    const { events, attributes } = await withWorkers(workers, async () => {
      const { incidentId } = await openOrJoinIncident(env.client, anomaly);
      const handle = env.client.workflow.getHandle(incidentId);
      await handle.result();
      return { events: (await handle.fetchHistory()).events ?? [], attributes: (await handle.describe()).searchAttributes };
    });
    expect(upserted(events)).toEqual([['VigilStatus'], ['VigilStatus', 'VigilTrusted', 'VigilVerdict'], ['VigilStatus'], ['VigilStatus']]);
    expect(attributes).toMatchObject({ VigilStatus: ['closed'], VigilVerdict: ['auto_execute'], VigilSeverity: ['low'], VigilTraceId: [anomaly.traceId] });
  });

  it('started without attributes: all of them in the first task, in one upsert', async () => {
    const anomaly = autoExecuted();
    const workers = await inProcessAgents(env.nativeConnection, { notifier: recordingNotifier(notices) });
    const events = await withWorkers(workers, async () => {
      const handle = await env.client.workflow.start(incidentWorkflow, { taskQueue: TASK_QUEUES.coordinator, workflowId: incidentIdFor(anomaly), args: [anomaly] });
      await handle.result();
      return (await handle.fetchHistory()).events ?? [];
    });
    expect(upserted(events)[0]).toEqual(['VigilAnomalyScore', 'VigilAsset', 'VigilSeverity', 'VigilStatus', 'VigilTraceId']);
    expect(upserted(events)).toHaveLength(5);
  });
});
