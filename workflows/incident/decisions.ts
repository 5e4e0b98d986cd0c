import { log, upsertMemo } from '@temporalio/workflow';
import type { AnalystDecision, DecisionRecord, Escalation, Verdict } from '../../contracts';
import { AnalystDecisionSchema, formatIssues } from '../../contracts';
import { DECISION_MEMO_KEY } from '../../contracts/decision';
import type { AgentCalls } from './agents';
import type { Incident } from './incident';
import type { IncidentObserver } from './observer';

export type DecisionCheck = { ok: true; decision: AnalystDecision } | { ok: false; reason: string };
type Via = 'signal' | 'update';
type PolicyFacts = Pick<DecisionRecord, 'policyVersion' | 'reasons' | 'inputDigest' | 'requiredRoles'>;

/**
 * Analyst decisions: shape and state checks, the review agent's authority check, and a record of
 * every attempt, accepted or refused. A decision counts only once policy allowed it.
 */
export class DecisionDesk {
  accepted: AnalystDecision | null = null;

  constructor(
    private readonly incident: Incident,
    private readonly agents: AgentCalls,
    private readonly observer: IncidentObserver,
  ) {}

  /** Shared by the signal, the update and its validator. */
  precheck(raw: unknown): DecisionCheck {
    const parsed = AnalystDecisionSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `malformed decision: ${formatIssues(parsed.error, { root: 'decision' })}` };
    const { status } = this.incident.state;
    if (status !== 'awaiting_decision') return { ok: false, reason: `incident is ${status}, not awaiting a decision` };
    if (this.accepted) return { ok: false, reason: `already decided by ${this.accepted.analyst}` };
    return { ok: true, decision: parsed.data };
  }

  /** Asks the review agent whether this analyst may make this decision; records the outcome either way. */
  async decide(raw: unknown, via: Via): Promise<DecisionCheck> {
    const pre = this.precheck(raw);
    if (!pre.ok) return this.refuse(raw, via, pre.reason);
    const { asset, severity, verdict } = this.incident.state;
    const requiredRole = verdict?.escalation?.requiredRole ?? 'senior';
    const authority = await this.agents.authorize({ decision: pre.decision, requiredRole, asset, severity }, `may ${pre.decision.analyst} ${pre.decision.decision}?`);
    const policy: PolicyFacts = { policyVersion: authority.policyVersion, reasons: authority.reasons, inputDigest: authority.inputDigest, requiredRoles: authority.requiredRoles };
    if (!authority.allowed) return this.refuse(raw, via, `not authorized: ${authority.reasons.map((r) => r.message).join('; ')}`, pre.decision, policy);
    const again = this.precheck(raw); // the state may have moved on while policy was consulted
    if (!again.ok) return this.refuse(raw, via, again.reason, pre.decision, policy);
    this.accepted = pre.decision;
    this.record({ accepted: true, decision: pre.decision, raw, refusal: null, via, at: new Date().toISOString(), ...policy });
    this.observer.settle(pre.decision.decision);
    log.info('analyst decision accepted', { incidentId: this.incident.id, analyst: pre.decision.analyst, decision: pre.decision.decision, policyVersion: authority.policyVersion });
    return { ok: true, decision: pre.decision };
  }

  /** Nobody decided in time: the policy's outcome applies, recorded like a decision. */
  expire(verdict: Verdict, escalation: Escalation): void {
    this.record({
      accepted: true,
      decision: null,
      raw: null,
      refusal: null,
      via: 'timeout',
      at: new Date().toISOString(),
      policyVersion: verdict.policyVersion,
      reasons: [{ code: 'escalation_timeout', message: `no decision within ${escalation.timeoutSeconds} s; the policy's outcome is ${escalation.onTimeout}` }],
      requiredRoles: [escalation.requiredRole],
    });
    this.observer.settle('timeout');
  }

  private refuse(raw: unknown, via: Via, reason: string, decision: AnalystDecision | null = null, policy: PolicyFacts = { policyVersion: null }): DecisionCheck {
    this.record({ accepted: false, decision, raw, refusal: reason, via, at: new Date().toISOString(), ...policy });
    log.warn('analyst decision refused', { incidentId: this.incident.id, via, refusal: reason });
    return { ok: false, reason };
  }

  /** Keeps a decision in the state and, as a memo upsert, in the history that `vigil audit` reads. */
  private record(r: DecisionRecord): void {
    this.incident.state.decisions.push(r);
    upsertMemo({ [DECISION_MEMO_KEY]: { ...r, raw: undefined } });
  }
}
