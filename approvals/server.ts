import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/logger';
import { APPROVAL_PATHS } from '../activities/notification/notifiers/chat-buttons';
import type { ClickDeps } from './clicks';
import { handleMattermostAction } from './mattermost';
import type { SlackDeps } from './slack';
import { handleSlackInteraction } from './slack';

/** Chat callbacks are small; anything bigger is refused before it is read into memory. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ApprovalsServerOptions {
  port: number;
  host: string;
  tls?: { cert: Buffer; key: Buffer };
  clicks: ClickDeps;
  /** Present when Mattermost buttons are served. */
  mattermost: boolean;
  /** Present when Slack interactivity is served (it needs the signing secret). */
  slack?: Omit<SlackDeps, keyof ClickDeps>;
  log: Logger;
}

export interface ApprovalsServer {
  url: string;
  port: number;
  /** Stops accepting, then waits (up to the deadline) for requests and Slack follow-ups in flight. */
  close(graceMs: number): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') =>
  res.writeHead(status, { 'content-type': type }).end(type === 'application/json' ? JSON.stringify(body) : String(body));

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The approvals service's public face: Mattermost button actions and Slack interactivity, nothing
 * else. Each route is served only when its platform is configured.
 */
export async function startApprovalsServer(o: ApprovalsServerOptions): Promise<ApprovalsServer> {
  const inflight = new Set<Promise<unknown>>();
  /** Work the drain waits for; `p` never rejects (callers catch first). */
  const track = (p: Promise<unknown>): void => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const slackDeps: SlackDeps | undefined = o.slack ? { ...o.clicks, ...o.slack } : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = path === APPROVAL_PATHS.mattermost && o.mattermost ? 'mattermost' : path === APPROVAL_PATHS.slack && slackDeps ? 'slack' : null;
    if (!route) return send(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      return send(res, err instanceof BodyTooLarge ? 413 : 400, { error: err instanceof BodyTooLarge ? `body over ${MAX_BODY_BYTES} bytes` : 'unreadable body' });
    }
    if (route === 'mattermost') {
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = null;
      }
      return send(res, 200, await handleMattermostAction(o.clicks, json));
    }
    const ack = handleSlackInteraction(slackDeps!, { timestamp: header(req, 'x-slack-request-timestamp'), signature: header(req, 'x-slack-signature') }, body);
    // Slack wants its answer within three seconds: acknowledge now, decide and update the message after.
    send(res, ack.status, ack.body, 'text/plain');
    if (ack.after) track(ack.after().catch((err: unknown) => o.log.error({ err }, 'Slack follow-up failed')));
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    track(
      handle(req, res).catch((err: unknown) => {
        o.log.error({ err }, 'approvals request failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      }),
    );
  };
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${o.tls ? 'https' : 'http'}://${o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host}:${port}`;
  return {
    url,
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections?.();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inflight]).then(() => closed), deadline]);
      server.closeAllConnections?.();
    },
  };
}
