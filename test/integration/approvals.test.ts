import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentOutcome } from '../../contracts';
import type { Child } from '../../lib/devstack/children';
import { startChild } from '../../lib/devstack/children';
import { startIncident } from '../../lib/incidents';
import { fromRoot } from '../../lib/paths';
import { freePort } from '../../lib/devstack/ports';
import { mintButtonToken, newNonce } from '../../lib/trust/button-token';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack, waitForStatus } from '../helpers/dev-stack';
import { analystDecisionSignal, stateQuery } from '../../workflows/definitions';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';

/** Mattermost and Slack as the approvals service sees them: a local HTTP server taking incoming-webhook posts and response_url updates. */
interface Chat {
  url: string;
  posts: Array<{ path: string; body: Record<string, unknown> }>;
  server: Server;
}
async function startChat(): Promise<Chat> {
  const posts: Chat['posts'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, server };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type MattermostAction = { id: string; name: string; integration: { url: string; context: { token: string } } };

/**
 * Chat-button approvals end to end: a real dev server and the five workers, the notification agent
 * posting escalations with buttons to a local "chat", and the approvals service as its own process
 * (`node dist/approvals/main.js`), clicked with requests shaped as Mattermost and Slack send them.
 */
describe('approvals service (dev server + workers + node dist/approvals/main.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-approvals-'));
  const buttonKey = randomBytes(32);
  const slackSecret = randomBytes(32).toString('hex');
  const buttonKeyFile = join(dir, 'button.key');
  const slackSecretFile = join(dir, 'slack-signing-secret');
  writeFileSync(buttonKeyFile, buttonKey, { mode: 0o600 });
  writeFileSync(slackSecretFile, slackSecret, { mode: 0o600 });
  // Mapped in policies/data.json (vigil.config.chat_users): alice and erin are seniors, bob is not.
  const MM = { alice: 'a1ice0000000000000000000mm', bob: 'b0b00000000000000000000mm0' };

  let chat: Chat;
  let stack: DevStack;
  let approvals: Child;
  let approvalsUrl: string;
  beforeAll(async () => {
    chat = await startChat();
    const [port, opsPort] = [await freePort(), await freePort()];
    approvalsUrl = `http://127.0.0.1:${port}`;
    stack = await startDevStack({
      VIGIL_WEBHOOK_URL: `${chat.url}/hooks/vigil`,
      VIGIL_WEBHOOK_FLAVOR: 'mattermost',
      VIGIL_APPROVALS_URL: approvalsUrl,
      VIGIL_APPROVALS_BUTTON_KEY_FILE: buttonKeyFile,
    });
    approvals = startChild({
      name: 'approvals',
      command: process.execPath,
      args: [fromRoot('dist', 'approvals', 'main.js')],
      logFile: join(stack.logDir, 'approvals.log'),
      env: {
        TEMPORAL_ADDRESS: stack.server.address,
        VIGIL_APPROVALS_PORT: String(port),
        VIGIL_APPROVALS_HOST: '127.0.0.1',
        VIGIL_OPS_PORT: String(opsPort),
        VIGIL_OPS_HOST: '127.0.0.1',
        VIGIL_APPROVALS_BUTTON_KEY_FILE: buttonKeyFile,
        // The key the service signs decisions with; the stack's review agent trusts its public half.
        VIGIL_APPROVALS_DECISION_KEY_FILE: stack.workers.approvalsKeys?.privateKeyFile ?? '',
        VIGIL_SLACK_SIGNING_SECRET_FILE: slackSecretFile,
        VIGIL_SLACK_RESPONSE_URL_PREFIX: `${chat.url}/slack/`,
      },
    });
    await until('approvals /readyz', async () => ((await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => null))?.ok ? true : undefined));
  });
  afterAll(async () => {
    await approvals?.stop();
    await stack?.stop();
    await new Promise((r) => chat?.server.close(r));
  });

  /** A critical shell: policy escalates it to a senior (terminate is human-only). */
  const escalated = async () => {
    const { incidentId } = await startIncident(stack.client, anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical'))));
    const handle = stack.client.workflow.getHandle(incidentId);
    await waitForStatus(handle, 'awaiting_decision');
    return { incidentId, handle };
  };
  const escalationPost = (incidentId: string) =>
    until('the escalation post with buttons', () => chat.posts.find((p) => p.path === '/hooks/vigil' && (p.body.props as { incident_id?: string } | undefined)?.incident_id === incidentId && Array.isArray(p.body.attachments)));

  const click = async (action: MattermostAction, userId: string, userName: string, token = action.integration.context.token) => {
    // The body Mattermost's server POSTs to integration.url when a user clicks.
    const res = await fetch(action.integration.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: userId, user_name: userName, channel_id: 'ch1', channel_name: 'soc', team_id: 'tm1', team_domain: 'soc', post_id: 'po1', trigger_id: 'tr1', type: '', data_source: '', context: { token } }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { update?: { message: string; props: Record<string, unknown> }; ephemeral_text?: string };
  };

  it('Mattermost: the escalation carries buttons; forged, expired, unauthorised and replayed clicks are refused; a senior\'s click decides and updates the post', async () => {
    const { incidentId, handle } = await escalated();
    const post = await escalationPost(incidentId);
    const [attachment] = post.body.attachments as Array<{ actions: MattermostAction[] }>;
    const approve = attachment!.actions.find((a) => a.name === 'Approve')!;
    expect(approve.integration.url).toBe(`${approvalsUrl}/mattermost/actions`);
    expect(attachment!.actions.map((a) => a.name)).toEqual(['Approve', 'Reject']);

    const forged = mintButtonToken(randomBytes(32), { incidentId, decision: 'approve', exp: Math.floor(Date.now() / 1000) + 600, nonce: newNonce() });
    expect(await click(approve, MM.alice, 'alice', forged)).toEqual({ ephemeral_text: 'Vigil refused this decision: the button token is forged or damaged' });
    const expired = mintButtonToken(buttonKey, { incidentId, decision: 'approve', exp: Math.floor(Date.now() / 1000) - 1, nonce: newNonce() });
    expect((await click(approve, MM.alice, 'alice', expired)).ephemeral_text).toMatch(/^Vigil refused this decision: the button expired at /);
    expect(await click(approve, 'zzzz0000000000000000000mm0', 'mallory')).toEqual({ ephemeral_text: 'Vigil refused this decision: Mattermost user @mallory is not mapped to an analyst in policy data' });
    // What a click becomes must be signed: the same decision as a plain signal, in alice's name, is refused and recorded.
    await handle.signal(analystDecisionSignal, { decision: 'approve', analyst: 'alice', reason: 'forged by whoever reaches Temporal' });
    const afterForgery = await until('the unsigned signal refused', async () => {
      const s = await handle.query(stateQuery);
      return s.decisions.some((d) => !d.accepted && d.via === 'signal') ? s : undefined;
    });
    expect(afterForgery.status).toBe('awaiting_decision');
    expect(afterForgery.decisions.filter((d) => !d.accepted && d.via === 'signal')).toEqual([
      expect.objectContaining({ signed: false, decision: null, refusal: expect.stringMatching(/not signed/), payloadDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }),
    ]);
    // bob is an analyst but not a senior: the workflow's answer (policy's reason) goes back to him.
    expect((await click(approve, MM.bob, 'bob')).ephemeral_text).toMatch(/^Vigil refused this decision: .*senior/);

    expect(await click(approve, MM.alice, 'alice')).toEqual({ update: { message: `:white_check_mark: **Approved by @alice** — incident \`${incidentId}\``, props: {} } });
    expect(await click(approve, MM.alice, 'alice')).toEqual({ ephemeral_text: 'Vigil refused this decision: this button was already used' });

    const outcome: IncidentOutcome = await handle.result();
    expect(outcome).toMatchObject({ resolution: 'executed', decidedBy: 'alice' });
    // Remediation ran the steps of the verdict the review agent signed (dry-run here), across processes.
    expect(outcome.actionResults.length).toBeGreaterThan(0);
    expect(outcome.actionResults.map((r) => r.status)).toEqual(outcome.actionResults.map(() => 'dry_run'));
    const state = await handle.query(stateQuery);
    const accepted = state.decisions.filter((d) => d.accepted);
    // The click reached the workflow as a decision the approvals service signed for alice (the analyst chat_users maps her to).
    expect(accepted).toEqual([expect.objectContaining({ via: 'update', signed: true, nonce: expect.stringMatching(/^[0-9a-f]{32}$/), decision: expect.objectContaining({ analyst: 'alice', reason: 'approved in Mattermost by @alice' }) })]);
  });

  it('Slack: a signed click is acknowledged at once and decided through response_url; bad signatures and stale timestamps are refused', async () => {
    const { incidentId, handle } = await escalated();
    // The token the notification agent puts in a Slack button's value (same key, same format as the Mattermost one).
    const value = mintButtonToken(buttonKey, { incidentId, decision: 'reject', exp: Math.floor(Date.now() / 1000) + 600, nonce: newNonce() });
    const responseUrl = `${chat.url}/slack/actions/T1/1/${incidentId}`;
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ERIN00001', username: 'erin', name: 'erin', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: '1.2', channel_id: 'C1', is_ephemeral: false },
      trigger_id: '1.2.3',
      team: { id: 'T1', domain: 'soc' },
      channel: { id: 'C1', name: 'soc' },
      response_url: responseUrl,
      actions: [{ action_id: 'vigil-reject', block_id: 'vigil-decision', text: { type: 'plain_text', text: 'Reject' }, value, type: 'button', action_ts: '1.3' }],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const post = (ts: number, signature: string) =>
      fetch(`${approvalsUrl}/slack/interactivity`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature }, body });
    const sign = (ts: number) => `v0=${createHmac('sha256', slackSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const now = Math.floor(Date.now() / 1000);

    expect((await post(now, `v0=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await post(now - 301, sign(now - 301))).status).toBe(401);
    const ack = await post(now, sign(now));
    expect([ack.status, await ack.text()]).toEqual([200, '']);

    const update = await until('the response_url update', () => chat.posts.find((p) => p.path === new URL(responseUrl).pathname));
    expect(update.body).toEqual({ replace_original: true, text: `:no_entry_sign: *Rejected by @erin* — incident \`${incidentId}\`` });
    expect(await handle.result()).toMatchObject({ resolution: 'rejected', decidedBy: 'erin' });
    const decided = (await handle.query(stateQuery)).decisions.filter((d) => d.accepted);
    expect(decided).toEqual([expect.objectContaining({ via: 'update', signed: true, decision: expect.objectContaining({ decision: 'reject', analyst: 'erin' }) })]);
    // The forged and stale requests decided nothing: one response_url post, one accepted decision.
    expect(chat.posts.filter((p) => p.path.startsWith('/slack/'))).toHaveLength(1);
  });
});
