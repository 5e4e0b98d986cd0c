import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Message, Task } from '@a2a-js/sdk';
import { analysisSkill, deterministicAnalyser } from '../../../activities/analysis';
import { connectAgent, mutualTlsFetch, skillRequest } from '../../../lib/a2a/client';
import { a2aConfigFromEnv } from '../../../lib/a2a/config';
import type { A2AServer } from '../../../lib/a2a/server';
import { AGENT_CARD_PATH, startA2AServer } from '../../../lib/a2a/server';
import { certificateIdentities } from '../../../lib/tls';
import type { TlsMaterial } from '../../../lib/tls';
import type { TestPki } from '../../helpers/certs';
import { makeTestPki } from '../../helpers/certs';
import { anomalyOf, byRule, exampleAlert } from '../../helpers/fixtures';

const lines: Array<Record<string, unknown>> = [];
const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) }));
const callerOf = (traceId: unknown) => (lines.find((l) => l.msg === 'A2A request' && l.trace_id === traceId)?.a2a as { caller?: string } | undefined)?.caller;

describe('A2A over mutual TLS with an identity allow-list', () => {
  let pki: TestPki;
  let server: A2AServer;
  beforeAll(async () => {
    pki = makeTestPki();
    const env = {
      VIGIL_A2A_PORT: '0',
      VIGIL_A2A_HOST: '127.0.0.1',
      VIGIL_A2A_TLS_CA: pki.caPath,
      VIGIL_A2A_TLS_CERT: pki.server.cert,
      VIGIL_A2A_TLS_KEY: pki.server.key,
      VIGIL_A2A_ALLOWED_IDENTITIES: 'vigil-coordinator, spiffe://vigil/ns/vigil/sa/auditor',
    };
    server = await startA2AServer({ agent: 'analysis', description: 'test', version: '0', skills: [analysisSkill(deterministicAnalyser)], config: a2aConfigFromEnv(env), log });
  });
  afterAll(async () => {
    await server?.close();
    pki?.remove();
  });

  /**
   * One TLS handshake and a first read. A missing certificate is refused with OpenSSL's alert; a
   * certificate that does not verify is refused by Node's TLS layer closing the session. Either way
   * no HTTP answer (not even the allow-list's 403) comes back, unlike a closed port (ECONNREFUSED).
   */
  const tlsHandshake = (opts: { ca: Buffer; cert?: Buffer; key?: Buffer }) =>
    new Promise<{ ok: true } | { ok: false; code: string }>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ...opts });
      socket.once('secureConnect', () => {
        socket.write('GET /.well-known/agent-card.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      socket.once('data', () => (socket.destroy(), resolve({ ok: true })));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code ?? err.message }));
      // Node's TLS server drops a connection whose client certificate does not verify right after the
      // handshake, before any byte of HTTP: the client sees its TLS session closed with no answer.
      socket.once('close', () => resolve({ ok: false, code: 'TLS session closed before any answer' }));
    });

  const analyse = async (tls: TlsMaterial) => {
    const { client, card } = await connectAgent(server.url, { tls });
    const reply = await client.sendMessage(skillRequest('analyse', { anomaly: anomalyOf(exampleAlert(byRule('Terminal shell in container'))) }));
    return { card, reply: reply as Message | Task };
  };

  it('serves an allow-listed caller (by CN) and says on its card that it needs mTLS', async () => {
    const { card, reply } = await analyse(pki.material(pki.client('vigil-coordinator')));
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    expect(card.securitySchemes.mtls?.scheme?.$case).toBe('mtlsSecurityScheme');
    expect('status' in reply).toBe(false);
    expect((reply as Message).metadata).toMatchObject({ skill: 'analyse', from: 'analysis' });
    expect(callerOf((reply as Message).metadata?.trace_id)).toBe('vigil-coordinator');
  });

  it('serves a caller whose allow-listed identity is a SAN (SPIFFE URI), whatever its CN', async () => {
    const { reply } = await analyse(pki.material(pki.client('some-pod', 'URI:spiffe://vigil/ns/vigil/sa/auditor')));
    expect(callerOf((reply as Message).metadata?.trace_id)).toBe('spiffe://vigil/ns/vigil/sa/auditor');
  });

  it('refuses a caller with a valid certificate whose identity is not on the allow-list (403)', async () => {
    const f = mutualTlsFetch(pki.material(pki.client('vigil-intruder')));
    const res = await f(`${server.url}${AGENT_CARD_PATH}`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('vigil-intruder');
    await expect(analyse(pki.material(pki.client('vigil-intruder')))).rejects.toThrow();
  });

  it('refuses a caller without a client certificate at the TLS handshake', async () => {
    // The server's own alert, not just any failure (a closed port would also "fail").
    const outcome = await tlsHandshake({ ca: readFileSync(pki.caPath) });
    expect(outcome).toMatchObject({ ok: false, code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });

  it('refuses a certificate from another CA even when it claims an allowed name', async () => {
    const foreign = pki.foreignClient('vigil-coordinator');
    const outcome = await tlsHandshake({ ca: readFileSync(pki.caPath), cert: readFileSync(foreign.cert), key: readFileSync(foreign.key) });
    expect(outcome).toEqual({ ok: false, code: 'TLS session closed before any answer' });
    // The same handshake with an allow-listed certificate from the right CA completes: the refusal is about the certificate.
    const own = pki.client('vigil-coordinator');
    expect(await tlsHandshake({ ca: readFileSync(pki.caPath), cert: readFileSync(own.cert), key: readFileSync(own.key) })).toEqual({ ok: true });
  });

  it('reads identities from CN and every SAN, without type prefixes', () => {
    expect(certificateIdentities({ subject: { CN: 'a' }, subjectaltname: 'DNS:b.svc, URI:spiffe://x/y, IP Address:10.0.0.1' } as never)).toEqual(['a', 'b.svc', 'spiffe://x/y', '10.0.0.1']);
    expect(certificateIdentities({} as never)).toEqual([]);
  });

  it('will not start mutual TLS with an empty allow-list or without the server key', () => {
    expect(() => a2aConfigFromEnv({ VIGIL_A2A_TLS_CA: pki.caPath, VIGIL_A2A_TLS_CERT: pki.server.cert, VIGIL_A2A_TLS_KEY: pki.server.key })).toThrow(/allow-list/);
    expect(() => a2aConfigFromEnv({ VIGIL_A2A_TLS_CA: pki.caPath, VIGIL_A2A_ALLOWED_IDENTITIES: 'x' })).toThrow(/cert and key/);
  });
});
