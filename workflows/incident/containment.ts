import { condition, log, upsertMemo } from '@temporalio/workflow';
import type { ActionResult, Containment, ContainmentRequest, Severity } from '../../contracts';
import { ContainmentRequestSchema, formatIssues } from '../../contracts';
import { CONTAINMENT_MEMO_KEY } from '../../contracts/incident';
import type { AgentCalls } from './agents';
import type { Incident, Reviewed } from './incident';
import type { Notices } from './notices';

type Kind = 'revert' | 'confirm';
export type ContainmentCheck = { ok: true; request: ContainmentRequest } | { ok: false; reason: string };

/** Containment that changed the cluster and can be held: a dry-run or a delete holds nothing. */
export function heldWrites(results: readonly ActionResult[]): boolean {
  return results.some((r) => (r.writes ?? []).some((w) => w.state !== 'server_dry_run' && w.verb !== 'delete'));
}

/** Allowed actions that did not run because something refused them: a human must look. */
export function refusedOrFailed(results: readonly ActionResult[]): boolean {
  return results.some((r) => r.status === 'refused' || r.status === 'failed');
}

/**
 * The incident's containment while it is in force: held until an analyst reverts or confirms it
 * (each request authorised by the review policy like a decision), or until the policy's
 * time-to-live passes, when it is reverted. Every request, granted or refused, is a memo event.
 */
export class ContainmentDesk {
  private pending: { kind: Kind; request: ContainmentRequest } | null = null;

  constructor(
    private readonly incident: Incident,
    private readonly agents: AgentCalls,
  ) {}

  precheck(kind: Kind, raw: unknown): ContainmentCheck {
    const parsed = ContainmentRequestSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `malformed ${kind} request: ${formatIssues(parsed.error, { root: 'request' })}` };
    const c = this.incident.state.containment;
    if (!c) return { ok: false, reason: 'this incident holds no containment (nothing was written to the cluster)' };
    if (c.state !== 'held' || this.pending) return { ok: false, reason: `containment is already ${this.pending ? `being ${this.pending.kind === 'revert' ? 'reverted' : 'confirmed'}` : c.state}` };
    return { ok: true, request: parsed.data };
  }

  /**
   * Asks the review agent to verify the request's signed decision (revert = reject, confirm =
   * approve, for this incident's verdict) and policy whether its analyst may; on yes the hold ends
   * with this request, in the name the token carries. A token counts once, decisions included.
   */
  async request(kind: Kind, raw: unknown): Promise<ContainmentCheck> {
    const pre = this.precheck(kind, raw);
    if (!pre.ok) return this.note(kind, raw, pre.reason);
    const { asset, severity, verdict } = this.incident.state;
    if (!verdict) return this.note(kind, raw, 'no verdict to act under');
    const expected = kind === 'revert' ? ('reject' as const) : ('approve' as const);
    const { token, analyst, reason } = pre.request;
    const submitted = token ? { token } : { decision: expected, analyst, reason };
    const authority = await this.agents.authorize(
      { submitted, verdictDigest: verdict.inputDigest, requiredRole: verdict.escalation?.requiredRole ?? 'analyst', asset, severity, actions: [] },
      `may ${token ? 'a signed request' : `${analyst} (unsigned)`} ${kind} the containment?`,
    );
    if (authority.nonce !== null) {
      const nonces = this.incident.state.decisionNonces;
      if (nonces.includes(authority.nonce)) return this.note(kind, raw, 'replayed: this signed decision was already used in this incident', authority.policyVersion);
      nonces.push(authority.nonce);
    }
    if (!authority.allowed || !authority.decision) return this.note(kind, raw, `not authorized: ${authority.reasons.map((r) => r.message).join('; ')}`, authority.policyVersion);
    if (authority.decision.decision !== expected) return this.note(kind, raw, `a signed ${authority.decision.decision} cannot ${kind} containment (${kind} takes a ${expected})`, authority.policyVersion);
    const again = this.precheck(kind, raw);
    if (!again.ok) return this.note(kind, raw, again.reason, authority.policyVersion);
    // Who asked is who signed: the payload's analyst is only a claim.
    const request: ContainmentRequest = { analyst: authority.decision.analyst, reason: authority.signed ? authority.decision.reason : reason };
    this.pending = { kind, request };
    this.note(kind, raw, null, authority.policyVersion, request);
    return { ok: true, request };
  }

  /** Containment wrote to the cluster: hold it under the policy's terms (TTL per severity). */
  async open(severity: Severity): Promise<void> {
    const terms = await this.agents.containmentTerms(severity, `containment terms for ${severity}`);
    const expiresAt = terms.ttlSeconds === null ? null : new Date(Date.now() + terms.ttlSeconds * 1000).toISOString();
    this.incident.state.containment = { state: 'held', ttlSeconds: terms.ttlSeconds, expiresAt, settledBy: null, reason: null, reverts: [] };
  }

  /** Resolves once the hold has ended (an update waits for its own revert to finish). */
  async settled(): Promise<Containment> {
    await condition(() => this.incident.state.containment?.state !== 'held');
    return this.incident.state.containment as Containment;
  }

  /** Holds the containment until a granted request or the TTL; returns how it ended. */
  async hold(reviewed: Reviewed, notices: Notices): Promise<Containment> {
    const c = this.incident.state.containment as Containment;
    this.incident.show('contained', `containment holds${c.expiresAt ? ` until ${c.expiresAt}` : ' until an analyst reverts or confirms it'}`);
    const requested = () => this.pending !== null;
    // Without a TTL the SDK's condition() resolves to nothing (not true): wait, then it was asked.
    const asked = c.ttlSeconds === null ? (await condition(requested), true) : await condition(requested, c.ttlSeconds * 1000);
    const pending = asked ? this.pending : null;
    if (pending?.kind === 'confirm') {
      Object.assign(c, { state: 'confirmed', settledBy: pending.request.analyst, reason: pending.request.reason });
    } else {
      const by = pending ? pending.request.analyst : 'policy-ttl';
      c.reverts = await this.agents.revert(this.incident.state.actionResults, pending ? 'analyst' : 'ttl', by, `revert containment (${by})`);
      Object.assign(c, { state: pending ? 'reverted' : 'expired', settledBy: by, reason: pending ? pending.request.reason : `policy TTL of ${c.ttlSeconds ?? '?'} s passed` });
    }
    log.info('containment settled', { incidentId: this.incident.id, state: c.state, by: c.settledBy });
    await notices.tell('containment_released', reviewed, `containment ${c.state}`);
    return c;
  }

  private note(kind: Kind, raw: unknown, refusal: string | null, policyVersion: string | null = null, granted: ContainmentRequest | null = null): ContainmentCheck {
    const parsed = ContainmentRequestSchema.safeParse(raw);
    // The memo keeps who and why, not the token (bounded, and a token is the analyst's to spend).
    const request = granted ?? (parsed.success ? { analyst: parsed.data.analyst, reason: parsed.data.reason } : null);
    upsertMemo({ [CONTAINMENT_MEMO_KEY]: { kind, request, granted: refusal === null, refusal, policyVersion, at: new Date().toISOString() } });
    if (refusal || !request) {
      log.warn('containment request refused', { incidentId: this.incident.id, kind, refusal });
      return { ok: false, reason: refusal ?? 'malformed request' };
    }
    return { ok: true, request };
  }
}
