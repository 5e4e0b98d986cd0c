import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@a2a-js/sdk';
import { AnalysisSchema, assetOf, VerdictSchema } from '../../contracts';
import type { AgentName } from '../../contracts';
import { connectAgent, skillRequest } from '../../lib/a2a/client';
import { fromRoot } from '../../lib/paths';
import type { TestPki } from '../helpers/certs';
import { makeTestPki } from '../helpers/certs';
import type { DevStack } from '../helpers/dev-stack';
import { startDevStack } from '../helpers/dev-stack';
import { anomalyOf, byRule, exampleAlert } from '../helpers/fixtures';
import { runCommand } from '../helpers/run-command';

const AGENTS: AgentName[] = ['analysis', 'review', 'remediation', 'notification'];
const PYTHON = fromRoot('.tools', 'venv', 'bin', 'python');
const TRACE = 'feedfacecafebeef0123456789abcdef';

/** Every agent worker process serves A2A over mutual TLS beside its Temporal activity worker. */
describe('A2A on every agent worker, over mutual TLS', () => {
  let pki: TestPki;
  let stack: DevStack;
  const urls = new Map<AgentName, string>();
  beforeAll(async () => {
    pki = makeTestPki();
    stack = await startDevStack({
      VIGIL_A2A_HOST: '127.0.0.1',
      VIGIL_A2A_TLS_CA: pki.caPath,
      VIGIL_A2A_TLS_CERT: pki.server.cert,
      VIGIL_A2A_TLS_KEY: pki.server.key,
      VIGIL_A2A_ALLOWED_IDENTITIES: 'vigil-coordinator,vigil-python-client',
    });
    for (const agent of AGENTS) {
      const info = (await (await fetch(`http://127.0.0.1:${stack.workers.opsPorts.get(agent)}/info`)).json()) as { a2a: { url: string; mutualTls: boolean } | null };
      expect(info.a2a?.mutualTls).toBe(true);
      urls.set(agent, info.a2a!.url);
    }
  });
  afterAll(async () => {
    await stack?.stop();
    pki?.remove();
  });

  it('each agent publishes its card with its skills; analysis and review answer SendMessage with the activity core', async () => {
    const tls = pki.material(pki.client('vigil-coordinator'));
    const skills: Record<string, string[]> = {};
    for (const agent of AGENTS) {
      const { card } = await connectAgent(urls.get(agent)!, { tls });
      skills[agent] = card.skills.map((s) => s.id);
    }
    expect(skills).toEqual({ analysis: ['analyse'], review: ['review', 'authorize-decision'], remediation: ['remediate'], notification: ['notify'] });

    const anomaly = anomalyOf(exampleAlert(byRule('Terminal shell in container', (a) => a.priority === 'Critical')), { traceId: TRACE });
    const { client: analysisAgent } = await connectAgent(urls.get('analysis')!, { tls });
    const reply = (await analysisAgent.sendMessage(skillRequest('analyse', { anomaly }, { traceId: TRACE }))) as Message;
    const data = reply.parts[0]?.content;
    const analysis = AnalysisSchema.parse(data?.$case === 'data' ? data.value : null);
    expect(reply.metadata?.trace_id).toBe(TRACE);

    // The review agent judges that analysis over A2A exactly as it would over Temporal.
    const { client: reviewAgent } = await connectAgent(urls.get('review')!, { tls });
    // The alert's own asset: the review agent signs verdicts for it and refuses any other.
    const asset = assetOf(anomaly.alert);
    const judged = (await reviewAgent.sendMessage(skillRequest('review', { anomaly, analysis, asset }, { traceId: TRACE }))) as Message;
    const verdict = judged.parts[0]?.content;
    expect(VerdictSchema.parse(verdict?.$case === 'data' ? verdict.value : null).outcome).toBe('escalate');
  });

  it("the Python a2a-sdk (a client that is not ours) fetches every agent's card and gets an analysis back", async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run scripts/setup.sh a2a`);
    const me = pki.client('vigil-python-client');
    const anomalyFile = join(pki.dir, 'anomaly.json');
    writeFileSync(anomalyFile, JSON.stringify(anomalyOf(exampleAlert(byRule('Terminal shell in container')), { traceId: TRACE })));
    const run = await runCommand(PYTHON, [fromRoot('test', 'a2a', 'a2a_client.py'), '--ca', pki.caPath, '--cert', me.cert, '--key', me.key, '--anomaly', anomalyFile, '--trace-id', TRACE, ...AGENTS.map((a) => urls.get(a)!)], { timeoutMs: 120_000 });
    if (run.code !== 0) throw new Error(`python client failed (${run.code}): ${run.stderr}`);
    const out = JSON.parse(run.stdout) as { agents: Array<{ name: string; skills: string[]; securitySchemes: string[]; replies?: Array<{ message?: { parts: Array<{ data?: unknown }>; metadata: { trace_id: string } } }> }> };
    expect(out.agents.map((a) => a.name)).toEqual(AGENTS.map((a) => `vigil-${a}`));
    expect(out.agents.every((a) => a.securitySchemes.includes('mtls'))).toBe(true);
    const answer = out.agents[0]!.replies?.[0]?.message;
    expect(answer?.metadata.trace_id).toBe(TRACE);
    expect(AnalysisSchema.parse(answer?.parts[0]?.data).analyser.kind).toBe('deterministic');
  });

  it('refuses the Python client when its certificate identity is not on the allow-list', async () => {
    const stranger = pki.client('vigil-stranger');
    const anomalyFile = join(pki.dir, 'anomaly-2.json');
    writeFileSync(anomalyFile, JSON.stringify(anomalyOf(exampleAlert(byRule('Terminal shell in container')))));
    const run = await runCommand(PYTHON, [fromRoot('test', 'a2a', 'a2a_client.py'), '--ca', pki.caPath, '--cert', stranger.cert, '--key', stranger.key, '--anomaly', anomalyFile, urls.get('analysis')!], { timeoutMs: 60_000 });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/403|forbidden/i);
  });
});
