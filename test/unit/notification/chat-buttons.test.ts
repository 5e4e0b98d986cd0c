import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notice } from '../../../activities/notification/notice';
import type { ChatFlavor } from '../../../activities/notification/notifiers/chat-buttons';
import { webhookNotifier } from '../../../activities/notification/notifiers/webhook';
import { verifyButtonToken } from '../../../lib/trust/button-token';

const deadline = Date.now() + 15 * 60_000;
const notice: Notice = {
  kind: 'escalation',
  incidentId: 'incident-abc',
  traceId: '0123456789abcdef0123456789abcdef',
  severity: 'critical',
  asset: 'default/kubecon',
  rule: 'Terminal shell in container',
  summary: 'shell',
  verdict: 'escalate',
  reasons: [],
  proposedActions: [],
  resolution: null,
  decidedBy: null,
  actionResults: [],
  escalationDeadline: new Date(deadline).toISOString(),
  requiredRole: 'senior',
  approvals: null,
  failures: [],
  followUpOf: null,
  chainAlerts: 1,
};

/** What the webhook notifier posts, received over real HTTP. */
async function posted(flavor: ChatFlavor, n: Notice, key: Buffer): Promise<Record<string, any>> {
  const bodies: Array<Record<string, any>> = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => (bodies.push(JSON.parse(data) as Record<string, any>), res.writeHead(200).end('ok')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/x`;
    await webhookNotifier({ url, approvals: { url: 'https://approvals.example.com/', flavor, key } }).send(n, 'the notice text', 'key-1');
    return bodies[0]!;
  } finally {
    await new Promise((r) => server.close(r));
  }
}

describe('approval buttons on escalation notices', () => {
  const key = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);

  it('Mattermost: an attachment whose two actions post their HMAC token to the approvals service', async () => {
    const body = await posted('mattermost', notice, key);
    expect(body.text).toBe('the notice text');
    const actions = body.attachments[0].actions as Array<{ id: string; name: string; type: string; integration: { url: string; context: { token: string } } }>;
    expect(actions.map((a) => [a.id, a.name, a.type, a.integration.url])).toEqual([
      ['vigilapprove', 'Approve', 'button', 'https://approvals.example.com/mattermost/actions'],
      ['vigilreject', 'Reject', 'button', 'https://approvals.example.com/mattermost/actions'],
    ]);
    const [approve, reject] = actions.map((a) => verifyButtonToken(key, a.integration.context.token, now));
    expect(approve).toMatchObject({ ok: true, claims: { incidentId: 'incident-abc', decision: 'approve', exp: Math.floor(deadline / 1000) } });
    expect(reject).toMatchObject({ ok: true, claims: { decision: 'reject' } });
    // Each button its own nonce, and a token from another key is worthless here.
    const nonces = [approve, reject].map((c) => (c?.ok ? c.claims.nonce : null));
    expect(new Set(nonces).size).toBe(2);
    expect(verifyButtonToken(randomBytes(32), actions[0]!.integration.context.token, now).ok).toBe(false);
  });

  it('Slack: the notice as a section and an actions block whose button values are the tokens', async () => {
    const body = await posted('slack', notice, key);
    expect(body.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'the notice text' } });
    const [approve, reject] = body.blocks[1].elements as Array<{ type: string; action_id: string; value: string; style: string }>;
    expect(body.blocks[1]).toMatchObject({ type: 'actions', block_id: 'vigil-decision' });
    expect([approve!.action_id, approve!.style, reject!.action_id, reject!.style]).toEqual(['vigil-approve', 'primary', 'vigil-reject', 'danger']);
    expect(verifyButtonToken(key, approve!.value, now)).toMatchObject({ ok: true, claims: { decision: 'approve' } });
    expect(approve!.value.length).toBeLessThanOrEqual(2000);
  });

  it('puts no buttons on resolutions and expiries', async () => {
    for (const kind of ['resolution', 'escalation_expired'] as const) {
      const body = await posted('mattermost', { ...notice, kind }, key);
      expect([body.attachments, body.blocks]).toEqual([undefined, undefined]);
    }
  });
});
