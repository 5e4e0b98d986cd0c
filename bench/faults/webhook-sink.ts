import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the sink does with a request: answer 200, answer 500, or hold it open without answering. */
export type SinkMode = 'ok' | 'fail' | 'hang';

/**
 * The notifier's webhook as a local HTTP server the harness controls: the ground truth of what was
 * delivered is the set of requests this server answered 200, by the notice's incident id and its
 * delivery key (`Idempotency-Key`), so a retried delivery is told from a second notice.
 */
export interface WebhookSink {
  url: string;
  setMode(mode: SinkMode): void;
  /** incident id → delivery key → requests answered 200 with it. */
  delivered: Map<string, Map<string, number>>;
  refused: number;
  held: number;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  let mode: SinkMode = 'ok';
  const delivered = new Map<string, Map<string, number>>();
  const held = new Set<ServerResponse>();
  const sink = { refused: 0, held: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'hang') {
        sink.held += 1;
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      if (mode === 'fail') {
        sink.refused += 1;
        res.writeHead(500).end('down');
        return;
      }
      let id = 'unparsed';
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { props?: { incident_id?: unknown } };
        if (typeof body.props?.incident_id === 'string') id = body.props.incident_id;
      } catch {
        // counted under 'unparsed': a notice the harness cannot attribute is itself a finding
      }
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : 'no key';
      const keys = delivered.get(id) ?? new Map<string, number>();
      keys.set(key, (keys.get(key) ?? 0) + 1);
      delivered.set(id, keys);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/vigil`,
    setMode(m) {
      mode = m;
      // Requests held while hanging are dropped when the outage ends, as a dead peer would.
      if (m !== 'hang') for (const r of held) r.destroy();
    },
    delivered,
    get refused() {
      return sink.refused;
    },
    get held() {
      return sink.held;
    },
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
