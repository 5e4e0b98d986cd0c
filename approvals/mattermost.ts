import { z } from 'zod';
import type { ClickDeps } from './clicks';
import { redeemClick } from './clicks';
import { countClick } from './metrics';

/**
 * The body Mattermost POSTs to a button's `integration.url` (its interactive message docs): the
 * clicking user, where the post is, and the button's `context` as given. Only what we use is
 * required; the rest passes.
 */
const MattermostActionSchema = z
  .object({
    user_id: z.string().min(1).max(64),
    user_name: z.string().max(64).default(''),
    post_id: z.string().max(64).optional(),
    channel_id: z.string().max(64).optional(),
    context: z.object({ token: z.string().max(1000) }).loose(),
  })
  .loose();

/** What Mattermost does with our answer: `update` replaces the post (message, and props without the buttons); `ephemeral_text` tells only the clicker. */
export type MattermostReply = { update: { message: string; props: Record<string, unknown> } } | { ephemeral_text: string };

export async function handleMattermostAction(deps: ClickDeps, body: unknown): Promise<MattermostReply> {
  const parsed = MattermostActionSchema.safeParse(body);
  if (!parsed.success) {
    countClick('mattermost', 'bad_request');
    return { ephemeral_text: 'Vigil refused this click: it is not a Mattermost button action with a Vigil token' };
  }
  const a = parsed.data;
  const r = await redeemClick(deps, { platform: 'mattermost', token: a.context.token, userId: a.user_id, userName: a.user_name || a.user_id });
  if (!r.ok) return { ephemeral_text: `Vigil refused this decision: ${r.reason}` };
  return { update: { message: `${r.decision === 'approve' ? ':white_check_mark:' : ':no_entry_sign:'} **${r.text}** — incident \`${r.incidentId}\``, props: {} } };
}
