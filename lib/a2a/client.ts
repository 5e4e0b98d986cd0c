import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import type { AgentCard } from '@a2a-js/sdk';
import { Message } from '@a2a-js/sdk';
import type { Client } from '@a2a-js/sdk/client';
import { ClientFactory, ClientFactoryOptions, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { A2A_ROLES } from '../../contracts';
import type { TlsMaterial } from '../tls';

/**
 * A `fetch` that presents a client certificate and trusts only the given CA. Node's global fetch
 * cannot take TLS options without undici's dispatcher (not a dependency here), so this is a small
 * fetch over node:https, enough for A2A's JSON-RPC calls (no streaming).
 */
export function mutualTlsFetch(tls: TlsMaterial): typeof fetch {
  const agent = new Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, keepAlive: true });
  const impl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    if (body) headers['content-length'] = String(body.length);
    return new Promise<Response>((resolve, reject) => {
      const r = request(req.url, { method: req.method, headers, agent, signal: init?.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 500;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      r.on('error', reject);
      r.end(body);
    });
  };
  return impl as typeof fetch;
}

/** An A2A client for one agent, from its card at `baseUrl`, optionally over mutual TLS. */
export async function connectAgent(baseUrl: string, opts: { tls?: TlsMaterial } = {}): Promise<{ client: Client; card: AgentCard }> {
  const fetchImpl = opts.tls ? mutualTlsFetch(opts.tls) : fetch;
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  const client = await factory.createFromUrl(baseUrl);
  return { client, card: await client.getAgentCard() };
}

/** A SendMessage request with one JSON data part for a skill, in the same shape the coordinator sends over Temporal. */
export function skillRequest(skill: string, data: unknown, opts: { traceId?: string; contextId?: string; from?: string } = {}) {
  return {
    tenant: '',
    message: Message.fromJSON({
      messageId: randomUUID(),
      contextId: opts.contextId ?? `a2a-${randomUUID()}`,
      role: A2A_ROLES.user,
      parts: [{ data, mediaType: 'application/json' }],
      metadata: { skill, from: opts.from ?? 'a2a-client', ...(opts.traceId ? { trace_id: opts.traceId } : {}) },
    }),
    configuration: undefined,
    metadata: undefined,
  };
}
