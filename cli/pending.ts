import type { Client } from '@temporalio/client';
import type { IncidentState } from '../contracts';
import { stateQuery } from '../workflows/definitions';

export const PENDING_QUERY = `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running' AND VigilStatus = 'awaiting_decision'`;

/**
 * State queries in flight at once. One at a time cost a round trip each (~53 ms, ~9 min for 10,000
 * waiting); unbounded, a query of an incident past the coordinator's cache is a replay, and
 * thousands at once would swamp the coordinator the incidents depend on.
 */
export const PENDING_QUERY_CONCURRENCY = 16;

/**
 * The incidents awaiting a decision, in visibility's order, each as its workflow reports its state.
 * Any query that fails fails the whole listing (an analyst must not read a partial list as complete).
 */
export async function pendingIncidents(client: Pick<Client, 'workflow'>, concurrency = PENDING_QUERY_CONCURRENCY): Promise<IncidentState[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query: PENDING_QUERY })) ids.push(wf.workflowId);
  const states: IncidentState[] = new Array<IncidentState>(ids.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < ids.length) {
      const i = next++;
      try {
        states[i] = await client.workflow.getHandle(ids[i]!).query(stateQuery);
      } catch (err) {
        failed = true;
        throw new Error(`state of ${ids[i]} could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), ids.length) }, worker));
  return states;
}
