import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Suppression } from '../activities/review/policy-data';
import type { SignedDecision } from '../contracts/decision';
import { signAsAnalyst } from '../lib/trust/analyst-keys';
import type { DecideResult } from '../workflows/definitions';
import { decideUpdate, stateQuery } from '../workflows/definitions';
import { suppressionFor } from './suppress';

export type DecideOutcome = { accepted: true; result: DecideResult } | { accepted: false; reason: string };

/** Sends a decision through the `decide` update, so the caller learns at once whether it was accepted. */
export async function sendDecision(client: Client, incidentId: string, decision: SignedDecision): Promise<DecideOutcome> {
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

/** The verdict a decision answers, by its input digest, read from the incident (a query: the coordinator must run). */
export async function verdictDigestOf(client: Client, incidentId: string): Promise<string> {
  const state = await client.workflow.getHandle(incidentId).query(stateQuery);
  if (!state.verdict) throw new Error(`${incidentId} has no verdict yet (status ${state.status})`);
  return state.verdict.inputDigest;
}

export interface DecisionRequest {
  incidentId: string;
  analyst: string;
  decision: 'approve' | 'reject';
  reason: string;
  ttlSeconds: number;
  keysDir: string;
  /** The verdict answered; read from the incident when absent. */
  verdictDigest?: string;
}

/** Signs a decision with the analyst's development key: `{"token": "<JWS>"}`, what the signal, the update and the UI accept. */
export async function signedDecision(client: () => Promise<Client>, r: DecisionRequest): Promise<SignedDecision> {
  const verdictDigest = r.verdictDigest ?? (await verdictDigestOf(await client(), r.incidentId));
  const token = await signAsAnalyst(r.keysDir, { analyst: r.analyst, decision: r.decision, reason: r.reason, incidentId: r.incidentId, verdictDigest, ttlSeconds: r.ttlSeconds });
  return { token };
}
