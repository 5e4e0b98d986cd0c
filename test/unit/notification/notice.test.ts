import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notice } from '../../../activities/notification/notice';
import { renderNotice } from '../../../activities/notification/notice';
import { webhookNotifier } from '../../../activities/notification/notifiers/webhook';

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
};

describe('notices', () => {
  it('tells the analyst exactly how to approve or reject, with the trace id', () => {
    const text = renderNotice(notice);
    expect(text).toContain('vigil approve incident-abc --analyst');
    expect(text).toContain('vigil reject incident-abc --analyst');
    expect(text).toContain('temporal workflow signal --workflow-id incident-abc --name analystDecision');
    expect(text).toContain(notice.traceId);
  });

  it('posts a Mattermost/Slack-compatible body over real HTTP and surfaces a non-2xx answer', async () => {
    const bodies: unknown[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(data));
        res.writeHead(status).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/x`;
      const n = webhookNotifier({ url });
      await expect(n.send(notice, 'hello')).resolves.toMatchObject({ delivered: true });
      expect(bodies[0]).toMatchObject({ text: 'hello', username: 'vigil', props: { incident_id: 'incident-abc' } });
      status = 500;
      await expect(n.send(notice, 'again')).rejects.toThrow('answered 500');
    } finally {
      server.close();
    }
  });
});
