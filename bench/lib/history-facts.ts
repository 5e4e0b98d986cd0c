import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** What one run's history says about its cost and its timing, read after the run. */
export interface RunFacts {
  workflowId: string;
  events: number;
  /** The history's protobuf encoding: what the server stores and ships for this run. */
  bytes: number;
  workflowTasks: number;
  startedAt: number;
  closedAt: number | null;
  completed: boolean;
  /** The first argument's `receivedAt` (the gate's receive time, or the baseline starter's). */
  receivedAt: number | null;
  /** When the named activity (the action) completed. */
  actionDoneAt: number | null;
  /** Schedule-to-start of each activity, ms, by task queue. */
  activityWaits: Map<string, number[]>;
  workflowTaskWaits: number[];
  result: unknown;
}

function decodeFirst(payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const data = payloads?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    return JSON.parse(Buffer.from(data).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const at = (e: HistoryEvent | undefined): number => tsToMs(e?.eventTime);

export function factsOf(workflowId: string, events: HistoryEvent[], actionActivity: string): RunFacts {
  const byId = new Map<number, HistoryEvent>();
  for (const e of events) byId.set(Number(e.eventId), e);
  const first = events[0];
  const input = decodeFirst(first?.workflowExecutionStartedEventAttributes?.input) as { receivedAt?: unknown } | undefined;
  const receivedAt = typeof input?.receivedAt === 'string' ? Date.parse(input.receivedAt) : null;
  const activityWaits = new Map<string, number[]>();
  const workflowTaskWaits: number[] = [];
  let workflowTasks = 0;
  let actionDoneAt: number | null = null;
  let closedAt: number | null = null;
  let completed = false;
  let result: unknown;
  for (const e of events) {
    if (e.workflowTaskCompletedEventAttributes) workflowTasks += 1;
    const wfStarted = e.workflowTaskStartedEventAttributes;
    if (wfStarted) workflowTaskWaits.push(at(e) - at(byId.get(Number(wfStarted.scheduledEventId))));
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const scheduled = byId.get(Number(started.scheduledEventId));
      const queue = scheduled?.activityTaskScheduledEventAttributes?.taskQueue?.name ?? 'unknown';
      const list = activityWaits.get(queue) ?? [];
      list.push(at(e) - at(scheduled));
      activityWaits.set(queue, list);
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done && byId.get(Number(done.scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name === actionActivity) actionDoneAt = at(e);
    if (e.workflowExecutionCompletedEventAttributes) {
      completed = true;
      closedAt = at(e);
      result = decodeFirst(e.workflowExecutionCompletedEventAttributes.result);
    } else if (e.workflowExecutionFailedEventAttributes || e.workflowExecutionTerminatedEventAttributes || e.workflowExecutionTimedOutEventAttributes || e.workflowExecutionCanceledEventAttributes) {
      closedAt = at(e);
    }
  }
  const bytes = temporal.api.history.v1.History.encode({ events }).finish().length;
  return { workflowId, events: events.length, bytes, workflowTasks, startedAt: at(first), closedAt, completed, receivedAt, actionDoneAt, activityWaits, workflowTaskWaits, result };
}

/** Histories of the given runs, a few at a time (after the measured window: this is not timed). */
export async function readFacts(client: Client, workflowIds: readonly string[], actionActivity: string, width = 8): Promise<RunFacts[]> {
  const out: RunFacts[] = new Array<RunFacts>(workflowIds.length);
  let next = 0;
  const worker = async () => {
    while (next < workflowIds.length) {
      const i = next++;
      const id = workflowIds[i]!;
      const history = await client.workflow.getHandle(id).fetchHistory();
      out[i] = factsOf(id, history.events ?? [], actionActivity);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, workflowIds.length) }, worker));
  return out;
}
