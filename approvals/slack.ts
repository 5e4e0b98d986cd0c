import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SLACK_ACTION_IDS } from '../activities/notification/notifiers/chat-buttons';
import type { ClickDeps } from './clicks';
import { redeemClick } from './clicks';
import { countClick } from './metrics';

/** Slack's replay window for signed requests: older (or further in the future) is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

/**
 * Slack's request signing: `v0=` + hex HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<raw body>`
 * with the app's signing secret, compared in constant time; null when genuine, else why not.
 */
export function slackSignatureProblem(secret: Buffer, headers: { timestamp?: string; signature?: string }, rawBody: Buffer, nowSeconds: number): string | null {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing or malformed X-Slack-Request-Timestamp';
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return 'request timestamp is more than five minutes away (a replay?)';
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature)) return 'missing or malformed X-Slack-Signature';
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'X-Slack-Signature does not match';
}

/** The `block_actions` payload Slack sends for a button click (form field `payload`, JSON). */
const SlackBlockActionsSchema = z
  .object({
    type: z.literal('block_actions'),
    user: z.object({ id: z.string().min(1).max(64), username: z.string().max(128).optional(), name: z.string().max(128).optional() }).loose(),
    response_url: z.url(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().max(2000).optional() }).loose()).min(1),
  })
  .loose();

export interface SlackDeps extends ClickDeps {
  signingSecret: Buffer;
  /** response_url must start with this (https://hooks.slack.com/ in production), so a click cannot make us POST anywhere else. */
  responseUrlPrefix: string;
  fetchFn?: typeof fetch;
}

/** What to answer Slack right away (within its three seconds), and the work to do after. */
export interface SlackAck {
  status: number;
  body: string;
  after?: () => Promise<void>;
}

export function handleSlackInteraction(deps: SlackDeps, headers: { timestamp?: string; signature?: string }, rawBody: Buffer): SlackAck {
  const now = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const problem = slackSignatureProblem(deps.signingSecret, headers, rawBody, now);
  if (problem) {
    countClick('slack', /five minutes/.test(problem) ? 'stale' : 'bad_signature');
    deps.log.warn({ approvals: { platform: 'slack', reason: problem } }, 'Slack request refused');
    return { status: 401, body: problem };
  }
  let payload: z.infer<typeof SlackBlockActionsSchema>;
  try {
    payload = SlackBlockActionsSchema.parse(JSON.parse(new URLSearchParams(rawBody.toString('utf8')).get('payload') ?? ''));
  } catch {
    countClick('slack', 'bad_request');
    return { status: 400, body: 'not a Slack block_actions payload' };
  }
  const action = payload.actions.find((a) => a.action_id === SLACK_ACTION_IDS.approve || a.action_id === SLACK_ACTION_IDS.reject);
  if (!action) {
    countClick('slack', 'bad_request');
    return { status: 200, body: '' };
  }
  if (!payload.response_url.startsWith(deps.responseUrlPrefix)) {
    countClick('slack', 'bad_request');
    deps.log.warn({ approvals: { platform: 'slack', responseUrl: payload.response_url.slice(0, 200) } }, 'Slack response_url outside the allowed prefix refused');
    return { status: 400, body: 'response_url is not Slack\'s' };
  }
  const userName = payload.user.username ?? payload.user.name ?? payload.user.id;
  const after = async () => {
    const r = await redeemClick(deps, { platform: 'slack', token: action.value, userId: payload.user.id, userName });
    const reply = r.ok
      ? { replace_original: true, text: `${r.decision === 'approve' ? ':white_check_mark:' : ':no_entry_sign:'} *${r.text}* — incident \`${r.incidentId}\`` }
      : { replace_original: false, response_type: 'ephemeral', text: `Vigil refused this decision: ${r.reason}` };
    const res = await (deps.fetchFn ?? fetch)(payload.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reply),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) deps.log.error({ approvals: { platform: 'slack', status: res.status } }, 'Slack response_url refused the update');
  };
  return { status: 200, body: '', after };
}
