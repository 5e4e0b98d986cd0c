import type { Logger } from '../lib/logger';
import { verifyButtonToken } from '../lib/trust/button-token';
import type { ChatPlatform, ChatUsers } from './chat-users';
import type { DecisionSender } from './decisions';
import type { ClickOutcome } from './metrics';
import { countClick } from './metrics';
import type { NonceLedger } from './nonces';

export interface ClickDeps {
  buttonKey: Buffer;
  users: ChatUsers;
  nonces: NonceLedger;
  decisions: DecisionSender;
  log: Logger;
  now?: () => number;
}

export interface Click {
  platform: ChatPlatform;
  token: unknown;
  userId: string;
  userName: string;
}

export type ClickResult =
  | { ok: true; incidentId: string; decision: 'approve' | 'reject'; analyst: string; text: string }
  | { ok: false; outcome: ClickOutcome; reason: string; incidentId?: string };

const PLATFORM_NAMES: Record<ChatPlatform, string> = { mattermost: 'Mattermost', slack: 'Slack' };

/**
 * One click, from either platform, to a decision: the button's token is checked (MAC, expiry), its
 * nonce reserved, the chat user mapped to an analyst by policy data, and the decision sent to the
 * incident, whose answer (policy's included) is the result. Every outcome is counted and logged.
 */
export async function redeemClick(deps: ClickDeps, click: Click): Promise<ClickResult> {
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const done = (r: ClickResult): ClickResult => {
    countClick(click.platform, r.ok ? 'accepted' : r.outcome);
    const fields = { approvals: { platform: click.platform, userId: click.userId, userName: click.userName, incidentId: r.incidentId ?? null, outcome: r.ok ? 'accepted' : r.outcome } };
    if (r.ok) deps.log.info({ ...fields, analyst: r.analyst, decision: r.decision }, 'chat decision accepted');
    else deps.log.warn({ ...fields, reason: r.reason }, 'chat decision refused');
    return r;
  };

  const token = verifyButtonToken(deps.buttonKey, click.token, now);
  if (!token.ok) return done({ ok: false, outcome: /expired/.test(token.reason) ? 'expired' : 'forged', reason: token.reason });
  const { incidentId, decision, nonce, exp } = token.claims;
  const analyst = deps.users.analystFor(click.platform, click.userId);
  if (!analyst) return done({ ok: false, outcome: 'unmapped', incidentId, reason: `${PLATFORM_NAMES[click.platform]} user @${click.userName} is not mapped to an analyst in policy data` });
  // One use per analyst: a replay is refused, while a second analyst can still add their approval
  // where policy asks for two (the workflow counts each analyst once).
  const use = `${nonce}:${analyst}`;
  const replay = deps.nonces.reserve(use, exp, now);
  if (replay) return done({ ok: false, outcome: 'replayed', incidentId, reason: replay });
  let sent;
  try {
    sent = await deps.decisions.send({ incidentId, decision, analyst, nonce, reason: `${decision === 'approve' ? 'approved' : 'rejected'} in ${PLATFORM_NAMES[click.platform]} by @${click.userName}` });
  } catch (err) {
    deps.nonces.release(use);
    deps.log.error({ err, incidentId }, 'could not deliver a chat decision');
    return done({ ok: false, outcome: 'error', incidentId, reason: 'Vigil could not reach the incident; try again' });
  }
  if (!sent.accepted) {
    deps.nonces.release(use);
    return done({ ok: false, outcome: 'refused', incidentId, reason: sent.reason });
  }
  deps.nonces.spend(use);
  return done({ ok: true, incidentId, decision, analyst, text: `${decision === 'approve' ? 'Approved' : 'Rejected'} by @${click.userName}` });
}
