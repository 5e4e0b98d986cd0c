import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { AnalystDecisionInput } from '../contracts';
import type { Suppression } from '../activities/review/policy-data';
import type { DecideResult } from '../workflows/definitions';
import { decideUpdate, stateQuery } from '../workflows/definitions';
import { suppressionFor } from './suppress';

export type DecideOutcome = { accepted: true; result: DecideResult } | { accepted: false; reason: string };

/** Sends a decision through the `decide` update, so the caller learns at once whether it was accepted. */
export async function sendDecision(client: Client, incidentId: string, decision: AnalystDecisionInput): Promise<DecideOutcome> {
  const handle = client.workflow.getHandle(incidentId);
  try {
    const result = await handle.executeUpdate(decideUpdate, { args: [decision] });
    return { accepted: true, result };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const cause = err.cause as { message?: string } | undefined;
      return { accepted: false, reason: cause?.message ?? err.message };
    }
    throw err;
  }
}

/** What `vigil reject --false-positive` proposes: a suppression of the incident's alert on its workload, in policy data's format. */
export async function falsePositiveSuppression(client: Client, incidentId: string, who: { author: string; reason: string; expires: string }): Promise<Suppression> {
  const state = await client.workflow.getHandle(incidentId).query(stateQuery);
  return suppressionFor(state.anomaly.alert, who);
}
