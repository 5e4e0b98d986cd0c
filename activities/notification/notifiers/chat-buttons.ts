import { mintButtonToken, newNonce } from '../../../lib/trust/button-token';
import type { Notice } from '../notice';

export const CHAT_FLAVORS = ['mattermost', 'slack'] as const;
export type ChatFlavor = (typeof CHAT_FLAVORS)[number];

/** Where buttons send their clicks (the approvals service) and the key that makes their tokens unforgeable. */
export interface ApprovalButtons {
  /** The approvals service's public base URL, e.g. https://approvals.example.com */
  url: string;
  flavor: ChatFlavor;
  key: Buffer;
}

/** The approvals service's routes, one per chat platform (approvals/server.ts serves them). */
export const APPROVAL_PATHS = { mattermost: '/mattermost/actions', slack: '/slack/interactivity' } as const;
/** Slack's action ids, which the approvals service reads back. */
export const SLACK_ACTION_IDS = { approve: 'vigil-approve', reject: 'vigil-reject' } as const;

/** A button lives as long as the wait it answers (an hour when the notice names no deadline). */
function expiry(notice: Notice, nowMs: number): number {
  const deadline = notice.escalationDeadline ? Date.parse(notice.escalationDeadline) : NaN;
  return Math.floor((Number.isFinite(deadline) ? deadline : nowMs + 3_600_000) / 1000);
}

function tokens(notice: Notice, key: Buffer, nowMs: number) {
  const exp = expiry(notice, nowMs);
  return {
    approve: mintButtonToken(key, { incidentId: notice.incidentId, decision: 'approve', exp, nonce: newNonce() }),
    reject: mintButtonToken(key, { incidentId: notice.incidentId, decision: 'reject', exp, nonce: newNonce() }),
  };
}

/** Mattermost message attachments with interactive buttons: each posts its `context` to `integration.url`. */
export function mattermostAttachments(notice: Notice, b: ApprovalButtons, nowMs = Date.now()) {
  const t = tokens(notice, b.key, nowMs);
  const url = `${b.url.replace(/\/$/, '')}${APPROVAL_PATHS.mattermost}`;
  return [
    {
      fallback: `Decide on ${notice.incidentId}`,
      text: `Decide on \`${notice.incidentId}\` (needs \`${notice.requiredRole ?? 'analyst'}\`):`,
      actions: [
        { id: 'vigilapprove', name: 'Approve', type: 'button', style: 'success', integration: { url, context: { token: t.approve } } },
        { id: 'vigilreject', name: 'Reject', type: 'button', style: 'danger', integration: { url, context: { token: t.reject } } },
      ],
    },
  ];
}

/** Slack Block Kit: the notice as a section (Slack caps it at 3000 characters) and an actions block with the two buttons. */
export function slackBlocks(notice: Notice, text: string, b: ApprovalButtons, nowMs = Date.now()) {
  const t = tokens(notice, b.key, nowMs);
  return [
    { type: 'section', text: { type: 'mrkdwn', text: text.length > 3000 ? `${text.slice(0, 2990)}…` : text } },
    {
      type: 'actions',
      block_id: 'vigil-decision',
      elements: [
        { type: 'button', action_id: SLACK_ACTION_IDS.approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: t.approve },
        { type: 'button', action_id: SLACK_ACTION_IDS.reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: t.reject },
      ],
    },
  ];
}
