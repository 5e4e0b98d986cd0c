import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { IssuerKey } from '../lib/trust/decision-keys';
import { APPROVALS_ISSUER } from '../lib/trust/decision-keys';
import { signDecision } from '../lib/trust/decision-token';
import { decideUpdate, stateQuery } from '../workflows/definitions';

/** A decision a chat click asks for, before it becomes whatever payload the workflow accepts. */
export interface ChatDecision {
  incidentId: string;
  decision: 'approve' | 'reject';
  analyst: string;
  reason: string;
  /** The button's one-time nonce (one use per analyst, the ledger's); the signed decision carries its own. */
  nonce: string;
}

/** Turns a chat decision into the payload the `decide` update takes, or says why there is none to make. */
export interface DecisionMinter {
  mint(d: ChatDecision): Promise<{ ok: true; payload: unknown } | { ok: false; reason: string }>;
}

/** Long enough to cross Temporal to the review agent, short enough that a leaked token is soon worthless. */
const MINTED_DECISION_TTL_SECONDS = 300;

/**
 * Signs each chat decision as the approvals service, a decision issuer the review agent trusts
 * (`VIGIL_DECISION_APPROVALS_KEY_FILE` there): the subject is the analyst policy data mapped the chat
 * user to, bound to the incident's current verdict. The token's nonce is its own (random), not the
 * button's: a second analyst clicking the same button must not be refused as a replay; the button's
 * one use per analyst is the ledger's, and the workflow counts each analyst once.
 */
export function signingMinter(client: Client, issuer: IssuerKey): DecisionMinter {
  return {
    async mint(d) {
      const state = await client.workflow.getHandle(d.incidentId).query(stateQuery);
      if (!state.verdict) return { ok: false, reason: `incident ${d.incidentId} has no verdict to decide yet` };
      const token = await signDecision(issuer.key, {
        analyst: d.analyst,
        decision: d.decision,
        reason: d.reason,
        incidentId: d.incidentId,
        verdictDigest: state.verdict.inputDigest,
        issuer: APPROVALS_ISSUER,
        kid: issuer.kid,
        alg: 'EdDSA',
        ttlSeconds: MINTED_DECISION_TTL_SECONDS,
      });
      return { ok: true, payload: { token } };
    },
  };
}

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
export function temporalDecisions(client: Client, minter: DecisionMinter): DecisionSender {
  return {
    async send(d) {
      try {
        const minted = await minter.mint(d);
        if (!minted.ok) return { accepted: false, reason: minted.reason };
        await client.workflow.getHandle(d.incidentId).executeUpdate(decideUpdate, { args: [minted.payload] });
        return { accepted: true };
      } catch (err) {
        const reason = refusalOf(err);
        if (reason === null) throw err;
        return { accepted: false, reason };
      }
    },
  };
}
