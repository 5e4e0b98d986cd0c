import { log, upsertMemo } from '@temporalio/workflow';
import type { AuthorizeResult } from '../../activities/review';
import type { AnalystDecision, DecisionRecord, Escalation, Quorum, Verdict } from '../../contracts';
import { quorumProgress } from '../../contracts';
import type { SubmittedDecision } from '../../contracts/decision';
import { DECISION_MEMO_KEY, MAX_REFUSED_DECISION_RECORDS, parseSubmittedDecision } from '../../contracts/decision';
import { payloadFingerprint } from '../../contracts/sha256';
import type { AgentCalls } from './agents';
import type { Incident } from './incident';
import type { IncidentObserver } from './observer';

export type DecisionCheck = { ok: true; submitted: SubmittedDecision } | { ok: false; reason: string };
export type DecisionOutcome = { ok: true; decision: AnalystDecision; progress: string; settled: boolean } | { ok: false; reason: string };
type Via = 'signal' | 'update';
type PolicyFacts = Pick<DecisionRecord, 'policyVersion' | 'reasons' | 'inputDigest' | 'requiredRoles'>;
type TokenFacts = Pick<DecisionRecord, 'signed' | 'nonce'>;

/** Verified tokens an incident remembers (to refuse replays); past this every further token is refused. */
const MAX_NONCES = 500;
const MAX_REFUSAL_CHARS = 500;

/** How analysts settled an escalation: approved by the quorum, or rejected. */
export interface Settled {
  decision: 'approve' | 'reject';
  analysts: string[];
}

/**
 * Analyst decisions: shape, state and deadline checks; the review agent's verification of the
 * signed token and its authority check; replay protection by nonce; the two-person rule (approvals
 * from distinct analysts up to policy's quorum, rejects up to policy's count); and a bounded record
 * of every attempt, accepted or refused.
 */
export class DecisionDesk {
  settled: Settled | null = null;
  private waitingFor = '';

  constructor(
    private readonly incident: Incident,
    private readonly agents: AgentCalls,
    private readonly observer: IncidentObserver,
  ) {}

  /** What the incident waits for, shown in the UI with the quorum's progress as decisions arrive. */
  waiting(details: string): void {
    this.waitingFor = details;
    const q = this.incident.state.quorum;
    this.incident.show('awaiting_decision', q ? `${quorumProgress(q)} — ${details}` : details);
  }

  /**
   * A new verdict (the chain escalated and was reviewed again) asks anew: approvals given for the
   * old one do not count toward the new one's quorum (their tokens named the old verdict), and a
   * settlement of the old one does not settle the new one: new evidence needs a new decision.
   */
  newVerdict(): void {
    this.incident.state.quorum = null;
    this.settled = null;
  }

  /** The analysts who settled it, as the outcome and notices name them. */
  get decidedBy(): string | null {
    return this.settled ? this.settled.analysts.join(', ') : null;
  }

  private get quorum(): Quorum {
    const s = this.incident.state;
    s.quorum ??= { approvalsNeeded: 1, rejectsNeeded: 1, approvedBy: [], rejectedBy: [] };
    return s.quorum;
  }

  /** Shared by the signal, the update and its validator: shape, state and the deadline (in workflow time). */
  precheck(raw: unknown): DecisionCheck {
    const parsed = parseSubmittedDecision(raw);
    if (!parsed.ok) return parsed;
    const { status, escalationDeadline } = this.incident.state;
    if (status !== 'awaiting_decision') return { ok: false, reason: `incident is ${status}, not awaiting a decision` };
    if (this.settled) return { ok: false, reason: `already decided (${this.settled.decision}) by ${this.settled.analysts.join(', ')}` };
    if (escalationDeadline && Date.now() >= Date.parse(escalationDeadline)) return { ok: false, reason: `the decision deadline ${escalationDeadline} has passed` };
    return { ok: true, submitted: parsed.value };
  }

  /** Verifies and authorizes one decision with the review agent, counts it toward the quorum, records it either way. */
  async decide(raw: unknown, via: Via): Promise<DecisionOutcome> {
    const pre = this.precheck(raw);
    if (!pre.ok) return this.refuse(raw, via, pre.reason);
    const { asset, severity, verdict } = this.incident.state;
    if (!verdict) return this.refuse(raw, via, 'no verdict to decide on');
    const claimed = pre.submitted.signed ? 'a signed decision' : `${pre.submitted.decision.analyst} ${pre.submitted.decision.decision} (unsigned)`;
    const authority = await this.agents.authorize(
      {
        submitted: raw,
        verdictDigest: verdict.inputDigest,
        requiredRole: verdict.escalation?.requiredRole ?? 'senior',
        asset,
        severity,
        actions: verdict.allowedActions.map((a) => a.actionner),
      },
      `verify and authorize ${claimed}`,
    );
    const policy: PolicyFacts = { policyVersion: authority.policyVersion, reasons: authority.reasons, inputDigest: authority.inputDigest, requiredRoles: authority.requiredRoles };
    // Only a verified token names an analyst; a plain payload's name is a claim, not kept as who decided.
    const who = authority.signed ? authority.decision : null;
    const facts: TokenFacts = { signed: authority.signed, nonce: authority.nonce };
    if (authority.nonce !== null) {
      const nonces = this.incident.state.decisionNonces;
      if (nonces.includes(authority.nonce)) return this.refuse(raw, via, 'replayed: this signed decision was already used in this incident', who, policy, facts);
      if (nonces.length >= MAX_NONCES) return this.refuse(raw, via, `too many signed decisions in this incident (${MAX_NONCES})`, who, policy, facts);
      nonces.push(authority.nonce);
    }
    if (!authority.allowed || !authority.decision) return this.refuse(raw, via, `not authorized: ${authority.reasons.map((r) => r.message).join('; ')}`, who, policy, facts);
    const again = this.precheck(raw); // the state (or the clock) may have moved on while the agent was asked
    if (!again.ok) return this.refuse(raw, via, again.reason, who, policy, facts);
    const decision = authority.decision;
    const counted = this.count(decision, authority);
    if (!counted.ok) return this.refuse(raw, via, counted.reason, who, policy, facts);
    this.record({ accepted: true, decision, refusal: null, via, at: new Date().toISOString(), ...payloadFingerprint(raw), ...facts, ...policy });
    const progress = quorumProgress(this.quorum);
    log.info('analyst decision accepted', { incidentId: this.incident.id, analyst: decision.analyst, decision: decision.decision, progress, policyVersion: authority.policyVersion });
    if (this.settled) this.observer.settle(this.settled.decision);
    else this.waiting(this.waitingFor);
    return { ok: true, decision, progress, settled: this.settled !== null };
  }

  /** The two-person rule: distinct analysts, up to the highest quorum policy has named for this incident. */
  private count(d: AnalystDecision, authority: AuthorizeResult): { ok: true } | { ok: false; reason: string } {
    const q = this.quorum;
    q.approvalsNeeded = Math.max(q.approvalsNeeded, authority.approvalsNeeded);
    q.rejectsNeeded = Math.max(q.rejectsNeeded, authority.rejectsNeeded);
    const side = d.decision === 'approve' ? q.approvedBy : q.rejectedBy;
    if (side.includes(d.analyst)) return { ok: false, reason: `${d.analyst} already ${d.decision === 'approve' ? 'approved' : 'rejected'}: the same analyst counts once` };
    side.push(d.analyst);
    if (q.rejectedBy.length >= q.rejectsNeeded) this.settled = { decision: 'reject', analysts: [...q.rejectedBy] };
    else if (q.approvedBy.length >= q.approvalsNeeded) this.settled = { decision: 'approve', analysts: [...q.approvedBy] };
    return { ok: true };
  }

  /** Nobody (or not enough analysts) decided in time: the policy's outcome applies, recorded like a decision. */
  expire(verdict: Verdict, escalation: Escalation): void {
    const q = this.incident.state.quorum;
    this.record({
      accepted: true,
      decision: null,
      signed: false,
      nonce: null,
      payloadDigest: null,
      payloadBytes: 0,
      refusal: null,
      via: 'timeout',
      at: new Date().toISOString(),
      policyVersion: verdict.policyVersion,
      reasons: [{ code: 'escalation_timeout', message: `no decision within ${escalation.timeoutSeconds} s${q ? ` (${quorumProgress(q)})` : ''}; the policy's outcome is ${escalation.onTimeout}` }],
      requiredRoles: [escalation.requiredRole],
    });
    this.observer.settle('timeout');
  }

  private refuse(raw: unknown, via: Via, reason: string, decision: AnalystDecision | null = null, policy: PolicyFacts = { policyVersion: null }, facts: TokenFacts = { signed: false, nonce: null }): DecisionOutcome {
    const state = this.incident.state;
    const refusal = reason.slice(0, MAX_REFUSAL_CHARS);
    // Spam cannot grow the state without bound: past the cap a refusal is counted and logged, not kept.
    if (state.decisions.filter((d) => !d.accepted).length >= MAX_REFUSED_DECISION_RECORDS) state.refusalsDropped += 1;
    else this.record({ accepted: false, decision, refusal, via, at: new Date().toISOString(), ...payloadFingerprint(raw), ...facts, ...policy });
    log.warn('analyst decision refused', { incidentId: this.incident.id, via, refusal });
    return { ok: false, reason };
  }

  /** Keeps a decision in the state and, as a memo upsert, in the history that `vigil audit` reads. */
  private record(r: DecisionRecord): void {
    this.incident.state.decisions.push(r);
    upsertMemo({ [DECISION_MEMO_KEY]: r });
  }
}
