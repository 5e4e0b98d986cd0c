import { unwatchFile, watchFile } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import type { User } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler } from '@a2a-js/sdk/server/express';
import express from 'express';
import type { Express, Request } from 'express';
import type { Logger } from '../logger';
import { certificateIdentities, readTlsMaterial } from '../tls';
import type { AnySkill } from './card';
import { buildAgentCard, JSONRPC_PATH } from './card';
import type { A2AConfig } from './config';
import { SkillExecutor } from './executor';
import { skillAdmission } from './skill-callers';

export const AGENT_CARD_PATH = '/.well-known/agent-card.json';
const LOOPBACK = '127.0.0.1';

/** The caller a verified client certificate names: its first allow-listed identity. */
class CertificateUser implements User {
  constructor(readonly identity: string | null) {}
  get isAuthenticated(): boolean {
    return this.identity !== null;
  }
  get userName(): string {
    return this.identity ?? 'anonymous';
  }
}

export interface A2AServer {
  /** Base URL as published on the card. */
  url: string;
  port: number;
  /** What the socket really listens on, as the OS reports it (not what was asked for). */
  listening: AddressInfo;
  mutualTls: boolean;
  /** The express app, for extra routes behind the same TLS and allow-list (benchmarks). */
  app: Express;
  close(): Promise<void>;
}

export interface A2AServerOptions {
  agent: string;
  description: string;
  version: string;
  skills: readonly AnySkill[];
  config: A2AConfig;
  log: Logger;
}

/**
 * Serves one agent over A2A v1.0 (JSON-RPC binding, card at /.well-known/agent-card.json).
 * With a CA: HTTPS that demands a client certificate from that CA, then admits only callers whose
 * certificate identity (CN or any SAN) is on the allow-list. Without one: plain HTTP on loopback
 * only, said at start, so an agent is never reachable unauthenticated from the network.
 */
export async function startA2AServer(o: A2AServerOptions): Promise<A2AServer> {
  const { tls } = o.config;
  const mutualTls = Boolean(tls.caPath && tls.certPath && tls.keyPath);
  const allowed = new Set(tls.allowedIdentities);
  const admit = skillAdmission({ skills: o.skills.map((s) => s.skill), callers: o.config.skillCallers, coordinatorIdentity: o.config.coordinatorIdentity });
  const app = express();
  app.disable('x-powered-by');

  if (mutualTls) {
    app.use((req, res, next) => {
      const socket = req.socket as TLSSocket;
      const ids = certificateIdentities(socket.getPeerCertificate());
      const admitted = ids.find((id) => allowed.has(id));
      if (!socket.authorized || !admitted) {
        o.log.warn({ a2a: { identities: ids, path: req.path, authorized: socket.authorized } }, 'A2A caller refused: identity not on the allow-list');
        res.status(403).json({ error: 'forbidden', reason: `certificate identity ${ids.length ? ids.join(', ') : '(none)'} is not allowed to call vigil-${o.agent}` });
        return;
      }
      res.locals.identity = admitted;
      next();
    });
  }

  let server: Server;
  let stopWatching = () => {};
  if (mutualTls) {
    const files = { caPath: tls.caPath!, certPath: tls.certPath!, keyPath: tls.keyPath! };
    const material = readTlsMaterial(files);
    const https = createHttpsServer({ ...material, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, app);
    // cert-manager rotates the mounted files in place; pick the new ones up without a restart.
    const reload = () => {
      try {
        https.setSecureContext({ ...readTlsMaterial(files), minVersion: 'TLSv1.2' });
        o.log.info({ cert: files.certPath }, 'A2A TLS material reloaded');
      } catch (err) {
        o.log.error({ err }, 'A2A TLS reload failed; keeping the previous certificate');
      }
    };
    for (const f of Object.values(files)) watchFile(f, { interval: 5000 }, reload).unref();
    stopWatching = () => Object.values(files).forEach((f) => unwatchFile(f));
    server = https;
  } else {
    server = createHttpServer(app);
  }

  const host = mutualTls ? o.config.host : LOOPBACK;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.config.port, host, () => resolve());
  });
  const listening = server.address() as AddressInfo;
  const port = listening.port;
  const scheme = mutualTls ? 'https' : 'http';
  const url = o.config.publicUrl ?? `${scheme}://${host === '0.0.0.0' || host === '::' ? LOOPBACK : host}:${port}`;

  const card = buildAgentCard({ agent: o.agent, description: o.description, version: o.version, baseUrl: url, skills: o.skills, mutualTls });
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new SkillExecutor(o.skills, o.log, admit));
  // Served in canonical proto-JSON (the SDK would serialize its internal `$case` form, which other
  // SDKs, e.g. Python's a2a-sdk, cannot read).
  const wireCard = AgentCard.toJSON(card) as AgentCard;
  app.use(AGENT_CARD_PATH, agentCardHandler({ agentCardProvider: async () => wireCard, cache: { maxAge: 300 } }));
  app.use(
    JSONRPC_PATH,
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: async (req: Request) => new CertificateUser(mutualTls ? ((req.res?.locals.identity as string | undefined) ?? null) : null),
    }),
  );

  if (mutualTls) {
    o.log.info({ a2a: { url, port, allowedIdentities: [...allowed] } }, 'A2A endpoint up: mutual TLS, allow-listed callers only');
  } else {
    o.log.warn(
      { a2a: { url, port, host: LOOPBACK, requestedHost: o.config.host } },
      'A2A endpoint up WITHOUT mutual TLS: listening on loopback only (set VIGIL_A2A_TLS_CA, VIGIL_A2A_TLS_CERT, VIGIL_A2A_TLS_KEY and VIGIL_A2A_ALLOWED_IDENTITIES to serve the network)',
    );
  }
  return {
    url,
    port,
    listening,
    mutualTls,
    app,
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
