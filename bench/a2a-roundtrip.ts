/**
 * A2A round-trip latency of the analysis skill vs a bare HTTP echo of the same payload on the same
 * server (same express app, same TLS and allow-list middleware), side by side in one process,
 * interleaved so both see the same machine load. Prints medians, p95s and the ratio.
 *
 *   npm run build && node dist/bench/a2a-roundtrip.js [--n 400] [--mtls]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import { Message } from '@a2a-js/sdk';
import { analysisSkill, deterministicAnalyser } from '../activities/analysis';
import { A2A_ROLES, AGENTS, FalcoAlertSchema } from '../contracts';
import type { Anomaly } from '../contracts';
import { JSONRPC_PATH } from '../lib/a2a/card';
import { connectAgent, mutualTlsFetch, skillRequest } from '../lib/a2a/client';
import { a2aConfigFromEnv } from '../lib/a2a/config';
import { startA2AServer } from '../lib/a2a/server';
import { createLogger } from '../lib/logger';
import { fromRoot } from '../lib/paths';
import { makeTestPki } from '../test/helpers/certs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function main(): Promise<void> {
  const n = Number(arg('n', '400'));
  const mtls = process.argv.includes('--mtls');
  const pki = mtls ? makeTestPki() : null;
  const env = pki ? { VIGIL_A2A_HOST: '127.0.0.1', VIGIL_A2A_TLS_CA: pki.caPath, VIGIL_A2A_TLS_CERT: pki.server.cert, VIGIL_A2A_TLS_KEY: pki.server.key, VIGIL_A2A_ALLOWED_IDENTITIES: 'bench' } : {};
  const server = await startA2AServer({ agent: 'analysis', description: 'bench', version: '0', skills: [analysisSkill(deterministicAnalyser)], config: a2aConfigFromEnv(env), log: createLogger('bench', 'silent') });
  // The baseline: the same JSON body, the same app and middleware, answered without A2A or the skill.
  server.app.post('/echo', express.json({ limit: '1mb' }), (req, res) => void res.json(req.body));
  const tls = pki ? pki.material(pki.client('bench')) : undefined;
  const f = tls ? mutualTlsFetch(tls) : fetch;
  const { client } = await connectAgent(server.url, { tls });

  const line = readFileSync(fromRoot('examples', 'falco-alerts.jsonl'), 'utf8').split('\n').find((l) => l.includes('"Terminal shell in container"'))!;
  const anomaly: Anomaly = { alert: FalcoAlertSchema.parse(JSON.parse(line)), score: 0.9, correlationKey: 'bench', traceId: '0af7651916cd43dd8448eb211c80319c', receivedAt: new Date().toISOString() };
  const request = skillRequest(AGENTS.analysis.skills.analyse.skill, { anomaly }, { traceId: anomaly.traceId });
  const echoBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'SendMessage', params: { message: Message.toJSON(Message.fromJSON({ messageId: randomUUID(), role: A2A_ROLES.user, parts: [{ data: { anomaly }, mediaType: 'application/json' }] })) } });

  const a2a = async () => {
    const t = process.hrtime.bigint();
    await client.sendMessage(request);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const echo = async () => {
    const t = process.hrtime.bigint();
    const res = await f(`${server.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: echoBody });
    await res.text();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  for (let i = 0; i < 50; i += 1) {
    await a2a();
    await echo();
  }
  const times = { a2a: [] as number[], echo: [] as number[] };
  for (let i = 0; i < n; i += 1) {
    // Alternate which goes first so neither always runs on a warmer connection.
    if (i % 2 === 0) {
      times.a2a.push(await a2a());
      times.echo.push(await echo());
    } else {
      times.echo.push(await echo());
      times.a2a.push(await a2a());
    }
  }
  const row = (name: string, xs: number[]) => `${name.padEnd(28)} median ${quantile(xs, 0.5).toFixed(3)} ms   p95 ${quantile(xs, 0.95).toFixed(3)} ms`;
  process.stdout.write(`A2A round trip vs bare HTTP echo, same server${mtls ? ' (mutual TLS)' : ' (loopback HTTP)'}, n=${n}, payload ${echoBody.length} B, endpoint ${JSONRPC_PATH}\n`);
  process.stdout.write(`${row('echo (baseline)', times.echo)}\n${row('A2A SendMessage analyse', times.a2a)}\n`);
  process.stdout.write(`ratio A2A/echo: median ${(quantile(times.a2a, 0.5) / quantile(times.echo, 0.5)).toFixed(2)}x   p95 ${(quantile(times.a2a, 0.95) / quantile(times.echo, 0.95)).toFixed(2)}x\n`);
  await server.close();
  pki?.remove();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
