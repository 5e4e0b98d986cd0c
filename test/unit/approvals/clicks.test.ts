import { createHmac, randomBytes } from 'node:crypto';
import { chatUsersFrom } from '../../../approvals/chat-users';
import type { ChatDecision, DecisionSender, SendResult } from '../../../approvals/decisions';
import { handleMattermostAction } from '../../../approvals/mattermost';
import { NonceLedger } from '../../../approvals/nonces';
import { handleSlackInteraction, slackSignatureProblem } from '../../../approvals/slack';
import { createLogger } from '../../../lib/logger';
import { mintButtonToken, newNonce, verifyButtonToken } from '../../../lib/trust/button-token';

const key = randomBytes(32);
const NOW = 1_800_000_000;
const users = chatUsersFrom({ vigil: { config: { chat_users: { mattermost: { mmalice: 'alice', mmbob: 'bob' }, slack: { UALICE: 'alice' } } } } }, 'test');
const log = createLogger('test', 'silent');

/** A stand-in incident: records what it was sent and answers as told (the real one is in test/integration/approvals.test.ts). */
function incident(answer: (d: ChatDecision) => SendResult = () => ({ accepted: true })): DecisionSender & { sent: ChatDecision[] } {
  const sent: ChatDecision[] = [];
  return { sent, send: async (d) => (sent.push(d), answer(d)) };
}
const deps = (decisions: DecisionSender) => ({ buttonKey: key, users, nonces: new NonceLedger(), decisions, log, now: () => NOW * 1000 });
const token = (over: Partial<{ incidentId: string; decision: 'approve' | 'reject'; exp: number }> = {}) => mintButtonToken(key, { incidentId: 'incident-1', decision: 'approve', exp: NOW + 600, nonce: newNonce(), ...over });
const mmClick = (t: unknown, user = 'mmalice') => ({ user_id: user, user_name: user.replace('mm', ''), channel_id: 'c1', post_id: 'p1', team_id: 't1', type: '', context: { token: t } });

describe('button tokens', () => {
  it('verify only with the key, unexpired, unchanged', () => {
    const t = token();
    expect(verifyButtonToken(key, t, NOW)).toMatchObject({ ok: true, claims: { incidentId: 'incident-1', decision: 'approve' } });
    expect(verifyButtonToken(randomBytes(32), t, NOW)).toEqual({ ok: false, reason: 'the button token is forged or damaged' });
    expect(verifyButtonToken(key, t, NOW + 601)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired/) });
    const [v, body, sig] = t.split('.');
    const flipped = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), decision: 'reject' })).toString('base64url');
    expect(verifyButtonToken(key, `${v}.${flipped}.${sig}`, NOW)).toEqual({ ok: false, reason: 'the button token is forged or damaged' });
    expect(verifyButtonToken(key, 'x'.repeat(2000), NOW)).toEqual({ ok: false, reason: 'the button token is too long' });
    expect(verifyButtonToken(key, undefined, NOW)).toEqual({ ok: false, reason: 'the button carries no token' });
  });
});

describe('Mattermost button actions', () => {
  it('approve: the mapped analyst decides, and the post becomes "Approved by @alice" without buttons', async () => {
    const inc = incident();
    const reply = await handleMattermostAction(deps(inc), mmClick(token()));
    expect(reply).toEqual({ update: { message: ':white_check_mark: **Approved by @alice** — incident `incident-1`', props: {} } });
    expect(inc.sent).toEqual([expect.objectContaining({ incidentId: 'incident-1', decision: 'approve', analyst: 'alice', reason: 'approved in Mattermost by @alice' })]);
  });

  it('refuses forged, expired, replayed and unmapped clicks without sending anything', async () => {
    const inc = incident();
    const d = deps(inc);
    const used = token();
    await handleMattermostAction(d, mmClick(used));
    const forged = mintButtonToken(randomBytes(32), { incidentId: 'incident-1', decision: 'approve', exp: NOW + 600, nonce: newNonce() });
    expect(await handleMattermostAction(d, mmClick(forged))).toEqual({ ephemeral_text: 'Vigil refused this decision: the button token is forged or damaged' });
    expect(await handleMattermostAction(d, mmClick(token({ exp: NOW - 1 })))).toEqual({ ephemeral_text: expect.stringMatching(/expired/) });
    expect(await handleMattermostAction(d, mmClick(used))).toEqual({ ephemeral_text: 'Vigil refused this decision: this button was already used' });
    expect(await handleMattermostAction(d, mmClick(token(), 'mmmallory'))).toEqual({ ephemeral_text: 'Vigil refused this decision: Mattermost user @mallory is not mapped to an analyst in policy data' });
    expect(await handleMattermostAction(d, { context: {} })).toEqual({ ephemeral_text: expect.stringMatching(/not a Mattermost button action/) });
    expect(inc.sent).toHaveLength(1);
  });

  it('passes the incident\'s refusal back to the clicker and keeps the button for someone allowed', async () => {
    const inc = incident((dec) => (dec.analyst === 'bob' ? { accepted: false, reason: 'not authorized: bob lacks role senior' } : { accepted: true }));
    const d = deps(inc);
    const t = token();
    expect(await handleMattermostAction(d, mmClick(t, 'mmbob'))).toEqual({ ephemeral_text: 'Vigil refused this decision: not authorized: bob lacks role senior' });
    expect(await handleMattermostAction(d, mmClick(t, 'mmalice'))).toMatchObject({ update: { message: expect.stringMatching(/Approved by @alice/) } });
  });
});

describe('Slack interactivity', () => {
  const secret = randomBytes(32);
  const sign = (ts: number, body: string) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  const body = (value: string, responseUrl = 'https://hooks.slack.com/actions/T1/1/abc') =>
    `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'UALICE', username: 'alice', team_id: 'T1' }, response_url: responseUrl, actions: [{ action_id: 'vigil-approve', block_id: 'vigil-decision', type: 'button', value }] }))}`;
  const posted: Array<{ url: string; body: unknown }> = [];
  const fetchFn = (async (url: string, init: { body: string }) => (posted.push({ url, body: JSON.parse(init.body) }), new Response('ok'))) as unknown as typeof fetch;
  const slack = (inc: DecisionSender) => ({ ...deps(inc), signingSecret: secret, responseUrlPrefix: 'https://hooks.slack.com/', fetchFn });

  it('checks the v0 signature over the raw body, and the five-minute window both ways', () => {
    const b = body(token());
    expect(slackSignatureProblem(secret, { timestamp: String(NOW), signature: sign(NOW, b) }, Buffer.from(b), NOW)).toBeNull();
    expect(slackSignatureProblem(secret, { timestamp: String(NOW), signature: sign(NOW, b) }, Buffer.from(`${b}x`), NOW)).toBe('X-Slack-Signature does not match');
    expect(slackSignatureProblem(secret, { timestamp: String(NOW - 301), signature: sign(NOW - 301, b) }, Buffer.from(b), NOW)).toMatch(/five minutes/);
    expect(slackSignatureProblem(secret, { timestamp: String(NOW + 301), signature: sign(NOW + 301, b) }, Buffer.from(b), NOW)).toMatch(/five minutes/);
    expect(slackSignatureProblem(secret, { timestamp: String(NOW) }, Buffer.from(b), NOW)).toMatch(/missing or malformed X-Slack-Signature/);
  });

  it('acks at once, then decides and replaces the message through response_url', async () => {
    const inc = incident();
    const b = body(token());
    const ack = handleSlackInteraction(slack(inc), { timestamp: String(NOW), signature: sign(NOW, b) }, Buffer.from(b));
    expect({ status: ack.status, body: ack.body }).toEqual({ status: 200, body: '' });
    expect(inc.sent).toHaveLength(0); // nothing decided before the ack
    await ack.after?.();
    expect(inc.sent).toEqual([expect.objectContaining({ analyst: 'alice', decision: 'approve' })]);
    expect(posted.at(-1)).toEqual({ url: 'https://hooks.slack.com/actions/T1/1/abc', body: { replace_original: true, text: ':white_check_mark: *Approved by @alice* — incident `incident-1`' } });
  });

  it('refuses a bad signature (401) and a response_url that is not Slack\'s (400), deciding nothing', () => {
    const inc = incident();
    const b = body(token());
    expect(handleSlackInteraction(slack(inc), { timestamp: String(NOW), signature: sign(NOW, `${b}&x=1`) }, Buffer.from(b)).status).toBe(401);
    const evil = body(token(), 'http://169.254.169.254/latest');
    const refused = handleSlackInteraction(slack(inc), { timestamp: String(NOW), signature: sign(NOW, evil) }, Buffer.from(evil));
    expect([refused.status, refused.after]).toEqual([400, undefined]);
    expect(inc.sent).toHaveLength(0);
  });
});

describe('nonce ledger', () => {
  it('reserves, spends, releases, forgets at expiry, and refuses when full', () => {
    const l = new NonceLedger(2);
    expect(l.reserve('a', 10, 0)).toBeNull();
    expect(l.reserve('a', 10, 0)).toBe('this button is being processed');
    l.release('a');
    expect(l.reserve('a', 10, 0)).toBeNull();
    l.spend('a');
    expect(l.reserve('a', 10, 5)).toBe('this button was already used');
    expect(l.reserve('b', 10, 5)).toBeNull();
    expect(l.reserve('c', 10, 5)).toMatch(/too many/);
    expect(l.reserve('c', 20, 10)).toBeNull(); // a and b expired at 10
    expect(l.size).toBe(1);
  });
});
