import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { decideUpdate } from '../workflows/definitions';

/** A decision a chat click asks for, before it becomes whatever payload the workflow accepts. */
export interface ChatDecision {
  incidentId: string;
  decision: 'approve' | 'reject';
  analyst: string;
  reason: string;
  /** The button's one-time nonce: also the decision's, so the workflow can refuse a replay of it. */
  nonce: string;
}

/**
 * Turns a chat decision into the payload the `decide` update takes. The plain form is the
 * analyst-named decision the workflow takes today; a signing minter (the service's own key, a
 * trusted issuer of decisions in configuration) replaces it where decisions must be signed.
 */
export interface DecisionMinter {
  mint(d: ChatDecision): Promise<unknown>;
}

export const plainDecisions: DecisionMinter = {
  mint: async (d) => ({ decision: d.decision, analyst: d.analyst, reason: d.reason }),
};

export type SendResult = { accepted: true } | { accepted: false; reason: string };

/** Delivers a decision to its incident and says plainly whether the workflow took it, and why not. */
export interface DecisionSender {
  send(d: ChatDecision): Promise<SendResult>;
}

function refusalOf(err: unknown): string | null {
  if (err instanceof WorkflowNotFoundError) return 'no such incident, or it has ended';
  if (err instanceof WorkflowUpdateFailedError) return (err.cause as Error | undefined)?.message ?? err.message;
  return null;
}

/** Through Temporal's `decide` update: validator and policy answer before this returns. */
export function temporalDecisions(client: Client, minter: DecisionMinter = plainDecisions): DecisionSender {
  return {
    async send(d) {
      const payload = await minter.mint(d);
      try {
        await client.workflow.getHandle(d.incidentId).executeUpdate(decideUpdate, { args: [payload] });
        return { accepted: true };
      } catch (err) {
        const reason = refusalOf(err);
        if (reason === null) throw err;
        return { accepted: false, reason };
      }
    },
  };
}
