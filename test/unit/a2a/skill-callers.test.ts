import type { Message, Task } from '@a2a-js/sdk';
import { TaskState } from '@a2a-js/sdk';
import { analysisSkill, deterministicAnalyser } from '../../../activities/analysis';
import { notificationSkill } from '../../../activities/notification';
import { consoleNotifier } from '../../../activities/notification/notifiers/console';
import { remediationSkill } from '../../../activities/remediation';
import { defaultRegistry } from '../../../activities/remediation/registry';
import { connectAgent, skillRequest } from '../../../lib/a2a/client';
import { a2aConfigFromEnv } from '../../../lib/a2a/config';
import type { A2AServer } from '../../../lib/a2a/server';
import { startA2AServer } from '../../../lib/a2a/server';
import { skillAdmission } from '../../../lib/a2a/skill-callers';
import { createLogger } from '../../../lib/logger';
import type { TlsMaterial } from '../../../lib/tls';
import type { TestPki } from '../../helpers/certs';
import { makeTestPki } from '../../helpers/certs';
import { anomalyOf, byRule, exampleAlert } from '../../helpers/fixtures';
import { freshKeys } from '../../helpers/trust';

const log = createLogger('test', 'silent');
const remediate = remediationSkill({ registry: defaultRegistry(), dryRun: true, log, verdicts: freshKeys('verdict').verifier });
const notify = notificationSkill(consoleNotifier(() => undefined));
const analyse = analysisSkill(deterministicAnalyser);

/** The terminal state and reason of an A2A reply: a plain message means the skill ran. */
function outcome(reply: Message | Task): { state: string; reason: string } {
  if (!('status' in reply)) return { state: 'ran', reason: '' };
  const part = reply.status?.message?.parts[0] as { content?: { $case: string; value: string } } | undefined;
  return { state: TaskState[reply.status?.state ?? 0] ?? 'unknown', reason: part?.content?.value ?? '' };
}

describe('per-skill A2A caller allow-lists', () => {
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
      // Every identity below passes the endpoint's allow-list; the skills narrow it.
      VIGIL_A2A_ALLOWED_IDENTITIES: 'vigil-coordinator,vigil-analysis,vigil-auditor',
      VIGIL_A2A_COORDINATOR_IDENTITY: 'vigil-coordinator',
      VIGIL_A2A_SKILL_CALLERS: JSON.stringify({ analyse: ['vigil-coordinator', 'vigil-auditor'] }),
    };
    // One endpoint serving all three only to exercise the rules side by side; each agent serves its own in production.
    server = await startA2AServer({ agent: 'remediation', description: 'test', version: '0', skills: [remediate, notify, analyse], config: a2aConfigFromEnv(env), log });
  });
  afterAll(async () => {
    await server?.close();
    pki?.remove();
  });

  const call = async (identity: string, skill: string, data: unknown) => {
    const tls: TlsMaterial = pki.material(pki.client(identity));
    const { client } = await connectAgent(server.url, { tls });
    return outcome((await client.sendMessage(skillRequest(skill, data))) as Message | Task);
  };

  it('refuses remediate and notify from any identity but the coordinator, before the skill sees the request', async () => {
    for (const identity of ['vigil-analysis', 'vigil-auditor']) {
      expect(await call(identity, 'remediate', { actions: [] })).toEqual({ state: 'TASK_STATE_REJECTED', reason: `forbidden: skill "remediate" is callable only by the coordinator (vigil-coordinator), not by ${identity}` });
      expect(await call(identity, 'notify', {})).toEqual({ state: 'TASK_STATE_REJECTED', reason: `forbidden: skill "notify" is callable only by the coordinator (vigil-coordinator), not by ${identity}` });
    }
  });

  it('lets the coordinator through to remediate, where no signed verdict still means nothing runs', async () => {
    const r = await call('vigil-coordinator', 'remediate', { actions: [] });
    expect(r.state).toBe('TASK_STATE_REJECTED');
    expect(r.reason).toMatch(/invalid input: verdict/);
  });

  it('applies a configured per-skill list: listed callers run analyse, others are refused', async () => {
    const data = { anomaly: anomalyOf(exampleAlert(byRule('Terminal shell in container'))) };
    expect(await call('vigil-auditor', 'analyse', data)).toEqual({ state: 'ran', reason: '' });
    expect(await call('vigil-analysis', 'analyse', data)).toEqual({ state: 'TASK_STATE_REJECTED', reason: 'forbidden: vigil-analysis may not call skill "analyse"' });
  });
});

describe('per-skill rules without mutual TLS and in configuration', () => {
  it('refuses remediate and notify to every caller on a loopback endpoint (no identity to check)', async () => {
    const server = await startA2AServer({ agent: 'remediation', description: 'test', version: '0', skills: [remediate, notify], config: a2aConfigFromEnv({ VIGIL_A2A_PORT: '0' }), log });
    try {
      const { client } = await connectAgent(server.url);
      const r = outcome((await client.sendMessage(skillRequest('remediate', { actions: [] }))) as Message | Task);
      expect(r).toEqual({ state: 'TASK_STATE_REJECTED', reason: 'forbidden: skill "remediate" is not callable over A2A here: only the coordinator may ask for it, and no coordinator identity is configured' });
    } finally {
      await server.close();
    }
  });

  it('refuses at start a list naming a skill the agent does not serve, or opening a coordinator-only skill', () => {
    expect(() => skillAdmission({ skills: ['analyse'], callers: { analyze: ['x'] } })).toThrow(/"analyze", which this agent does not serve/);
    expect(() => skillAdmission({ skills: ['remediate'], callers: { remediate: ['vigil-auditor'] } })).toThrow(/callable only by the coordinator identity/);
    expect(() => a2aConfigFromEnv({ VIGIL_A2A_SKILL_CALLERS: '{analyse:' })).toThrow(/VIGIL_A2A_SKILL_CALLERS is not JSON/);
    expect(() => a2aConfigFromEnv({ VIGIL_A2A_SKILL_CALLERS: '{"analyse":[]}' })).toThrow(/empty list would admit nobody/);
  });

  it('admits any endpoint-allowed caller to a skill without a list', () => {
    const admit = skillAdmission({ skills: ['analyse', 'review'], callers: { analyse: ['a'] } });
    expect(admit('review', 'b')).toBeNull();
    expect(admit('review', undefined)).toBeNull();
    expect(admit('analyse', undefined)).toBe('an unauthenticated caller may not call skill "analyse"');
  });
});
