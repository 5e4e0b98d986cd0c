import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the fake endpoint received: the parsed chat-completion request and its headers. */
export interface SeenRequest {
  body: { model: string; messages: Array<{ role: string; content: string }>; response_format?: unknown };
  authorization: string | undefined;
}

/** One scripted answer; `reply` may inspect the request (an "obedient" model reads the prompt). */
export type Script =
  | { kind: 'json'; content: unknown }
  | { kind: 'text'; content: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'hang' }
  | { kind: 'reply'; reply: (req: SeenRequest) => unknown };

export interface FakeLlm {
  baseUrl: string;
  requests: SeenRequest[];
  /** Answers in order; the last one repeats. */
  script(...answers: Script[]): void;
  close(): Promise<void>;
}

function completion(message: Record<string, unknown>) {
  return { id: 'chatcmpl-fake', object: 'chat.completion', model: 'fake', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop' }], usage: { prompt_tokens: 321, completion_tokens: 45, total_tokens: 366 } };
}

/** A local OpenAI-compatible `/v1/chat/completions` server with scripted replies (real HTTP, loopback only). */
export async function startFakeLlm(): Promise<FakeLlm> {
  let answers: Script[] = [{ kind: 'status', status: 503, body: 'no script' }];
  let next = 0;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
    const seen: SeenRequest = { body: JSON.parse(raw) as SeenRequest['body'], authorization: req.headers.authorization };
    requests.push(seen);
    const a = answers[Math.min(next, answers.length - 1)]!;
    next += 1;
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    switch (a.kind) {
      case 'json':
        return send(200, completion({ content: JSON.stringify(a.content) }));
      case 'text':
        return send(200, completion({ content: a.content }));
      case 'refusal':
        return send(200, completion({ content: null, refusal: a.refusal }));
      case 'status':
        return send(a.status, a.body ?? `{"error":{"message":"HTTP ${a.status}"}}`);
      case 'hang':
        return; // never answers; close() destroys the socket
      case 'reply':
        return send(200, completion({ content: JSON.stringify(a.reply(seen)) }));
    }
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => handle(req, res, raw));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...a: Script[]) => {
      answers = a;
      next = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The alert data the prompt quoted between its markers, as the model would read it. */
export function quotedAlertOf(req: SeenRequest): { rule: string; priority: string; output: string; output_fields: Record<string, unknown>; asset: { namespace?: string; pod?: string } } {
  const user = req.body.messages.find((m) => m.role === 'user')?.content ?? '';
  const start = user.indexOf('<<<ALERT_JSON') + '<<<ALERT_JSON'.length;
  return JSON.parse(user.slice(start, user.indexOf('ALERT_JSON>>>'))) as ReturnType<typeof quotedAlertOf>;
}

/** A competent model: proposes the usual response on the alert's own pod. */
export function helpfulAnalysis(req: SeenRequest): unknown {
  const { asset, priority } = quotedAlertOf(req);
  const target = { namespace: asset.namespace ?? 'default', pod: asset.pod ?? 'unknown' };
  const critical = /critical|emergency|alert/i.test(priority);
  return {
    severity: critical ? 'critical' : 'low',
    technique: { id: 'T1059.004', name: 'Unix Shell', tactic: 'execution' },
    confidence: 0.9,
    summary: `Shell activity in ${target.namespace}/${target.pod}.`,
    actions: asset.pod
      ? [
          { id: 'quarantine-label', actionner: 'kubernetes:label', target, params: { labels: { 'vigil.dev/quarantine': 'true' } }, rationale: 'mark' },
          ...(critical ? [{ id: 'terminate-pod', actionner: 'kubernetes:terminate', target, params: { gracePeriodSeconds: 0 }, rationale: 'stop it' }] : []),
        ]
      : [],
  };
}
