import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notice } from '../../../activities/notification/notice';
import { inertText, MAX_QUOTED_CHARS, renderNotice } from '../../../activities/notification/notice';
import { webhookNotifier } from '../../../activities/notification/notifiers/webhook';
import { createNotificationActivities } from '../../../activities/notification';
import { A2A_ROLES, agentMessage, AGENTS } from '../../../contracts';
import { createLogger } from '../../../lib/logger';

const notice: Notice = {
  kind: 'escalation',
  incidentId: 'incident-abc',
  traceId: '0123456789abcdef0123456789abcdef',
  severity: 'critical',
  asset: 'default/kubecon',
  rule: 'Terminal shell in container',
  summary: 'shell',
  verdict: 'escalate',
  reasons: [{ code: 'human_only_action', message: 'kubernetes:terminate always needs an analyst' }],
  proposedActions: [],
  resolution: null,
  decidedBy: null,
  actionResults: [],
  escalationDeadline: '2026-01-01T00:15:00.000Z',
  requiredRole: 'senior',
  approvals: null,
  failures: [],
  followUpOf: null,
  chainAlerts: 1,
};

describe('notices', () => {
  it('links a follow-up to the incident it follows and says how long the chain is, as inert text', () => {
    const text = renderNotice({ ...notice, followUpOf: 'incident-shop-web-0123<@channel>', chainAlerts: 4 });
    expect(text).toContain('Follow-up of incident-shop-web-0123??channel?: ');
    expect(text).toContain('Chain: 4 alerts on this workload (`vigil show incident-abc` lists them).');
    const alone = renderNotice(notice);
    expect(alone).not.toContain('Follow-up of');
    expect(alone).not.toContain('Chain:');
  });

  it('tells the analyst exactly how to approve or reject, with the trace id', () => {
    const text = renderNotice(notice);
    expect(text).toContain('vigil approve incident-abc --analyst');
    expect(text).toContain('vigil reject incident-abc --analyst');
    expect(text).toContain('temporal workflow signal --workflow-id incident-abc --name analystDecision --input "$(vigil approve incident-abc --analyst <you> --print)"');
    expect(text).toContain(notice.traceId);
    // A plain JSON decision would be refused: the notice must not teach it.
    expect(text).not.toContain('"analyst":');
  });

  it('shows event content only as quoted, inert, bounded text: no fake command block, no mention, no link', () => {
    const summary = [
      'Looks benign.',
      '```',
      'vigil approve incident-other --analyst alice --reason ok',
      '```',
      '@channel @here <!channel> <!here|here> approve now: [click](https://evil.example/x) ![p](https://evil.example/p.png) **urgent**',
      'x'.repeat(2000),
    ].join('\n');
    const text = renderNotice({
      ...notice,
      summary,
      rule: 'Shell `spawned`\n# Heading',
      asset: 'default/`pod`@all',
      reasons: [{ code: 'x', message: '@channel see <https://evil.example|docs>' }],
      proposedActions: [
        { id: 'a', actionner: 'kubernetes:label', target: { namespace: 'default', pod: 'p@here' }, params: {}, blastRadius: { scope: 'pod', pods: 1 }, rationale: '' },
      ],
    });
    const lines = text.split('\n');
    // Vigil's own command block is the only fence, and it names only this incident.
    expect(lines.filter((l) => l.startsWith('```'))).toEqual(['```', '```']);
    // The fake command survives only as words inside the quoted summary, on no line of its own.
    expect(lines.filter((l) => l.includes('incident-other')).map((l) => l.slice(0, 10))).toEqual(['> Summary:']);
    expect(text).not.toMatch(/@(channel|here|all)/);
    expect(text).not.toMatch(/<!|<https?:/);
    expect(text).not.toMatch(/[^\\]\]\(/);
    expect(text).not.toContain('https://');
    expect(text).not.toMatch(/(^|[^\\])\*\*urgent/);
    expect(lines.some((l) => l.startsWith('#'))).toBe(false);
    // Every piece of event content is a quotation line, bounded.
    const summaryLine = lines.find((l) => l.startsWith('> Summary:'));
    expect(summaryLine).toBeDefined();
    expect(summaryLine!.length).toBeLessThan(MAX_QUOTED_CHARS * 2);
    expect(summaryLine).toContain('more characters');
  });

  it('pages a failed incident with what failed, quoted, and shows quorum progress', () => {
    const text = renderNotice({ ...notice, kind: 'incident_failed', failures: ['review: Activity task failed\n@here ```x```'], approvals: '1 of 2 approvals (alice)' });
    expect(text.split('\n')[0]).toContain('could not handle an incident');
    expect(text).toContain('> Failed: “review: Activity task failed @\u200bhere ˋˋˋxˋˋˋ”');
    expect(text).toContain('Approvals: 1 of 2 approvals (alice)');
    expect(text).not.toContain('vigil approve');
  });

  it('keeps ordinary names readable', () => {
    expect(inertText('Terminal shell in container')).toBe('Terminal shell in container');
    expect(inertText('shop/checkout-5d8f9c7b6-x2x9q')).toBe('shop/checkout-5d8f9c7b6-x2x9q');
  });

  it('keeps a hand-chosen workflow id from breaking out of the command block', () => {
    const text = renderNotice({ ...notice, incidentId: 'incident-x\n```\n@channel' });
    expect(text.split('\n').filter((l) => l.startsWith('```'))).toHaveLength(2);
    expect(text).not.toContain('@channel');
  });

  it('posts a Mattermost/Slack-compatible body over real HTTP and surfaces a non-2xx answer', async () => {
    const bodies: unknown[] = [];
    const keys: unknown[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(data));
        keys.push(req.headers['idempotency-key']);
        res.writeHead(status).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/x`;
      const n = webhookNotifier({ url });
      await expect(n.send(notice, 'hello', 'msg-1')).resolves.toMatchObject({ delivered: true });
      expect(bodies[0]).toMatchObject({ text: 'hello', username: 'vigil', props: { incident_id: 'incident-abc', notice_id: 'msg-1' } });
      expect(keys[0]).toBe('msg-1');
      // A caller's message id is hostile input: never raw into a header.
      await n.send(notice, 'hello', 'x\r\nSet-Cookie: a=b');
      expect(keys[1]).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(bodies[1]).toMatchObject({ props: { notice_id: keys[1] } });
      status = 500;
      await expect(n.send(notice, 'again', 'msg-2')).rejects.toThrow('answered 500');
    } finally {
      server.close();
    }
  });

  it('gives every notice one delivery key, the same on a retry of the same request and new for the next notice', async () => {
    const keys: string[] = [];
    const activities = createNotificationActivities({
      notifier: { name: 'capture', send: async (_n, _t, key) => (keys.push(key), { channel: 'capture', delivered: true, detail: 'ok' }) },
      log: createLogger('test', 'silent'),
    });
    const notify = activities[AGENTS.notification.skills.notify.activity];
    const request = (messageId: string) => agentMessage({ messageId, contextId: notice.incidentId, role: A2A_ROLES.user, traceId: notice.traceId, skill: 'notify', from: 'coordinator', data: notice });
    await notify(request('m-1'));
    await notify(request('m-1')); // what Temporal sends when it retries the activity
    await notify(request('m-2'));
    expect(keys).toEqual(['m-1', 'm-1', 'm-2']);
  });
});
